#!/usr/bin/env node
// What deciding a refund costs (issue 18): reservation's pure `quoteRefund` — the cut-off of the
// reservation's policy in its room's time zone (Intl) and the share — per call, as every cancel
// and every GET /reservations/{id}/cancellation runs it. Needs `npx tsc -b` first.
//   node scripts/bench/refund.mjs [--calls 20000] [--rounds 5] [--module path/to/refund.js (another build, to compare)]
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    module: { type: 'string', default: new URL('../../services/reservation/dist/domain/refund.js', import.meta.url).pathname },
  },
});
const require = createRequire(import.meta.url);
const { quoteRefund } = require(args.module);

const zones = ['Asia/Seoul', 'Pacific/Auckland', 'America/Los_Angeles', 'Europe/Paris'];
const policies = ['flexible', 'moderate', 'strict', 'non_refundable'];
const at = new Date('2030-03-01T00:00:00Z');

function round(calls) {
  let refunded = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const basis = { cancellationPolicy: policies[i % 4], timeZone: zones[i % 4 === 3 ? 0 : i % 3], checkIn: '2030-03-10', amount: 300_000 + i };
    refunded += quoteRefund(basis, at).refundAmount;
  }
  return { usPerCall: Number(process.hrtime.bigint() - start) / calls / 1000, refunded };
}

round(2000); // warm-up: the formatters are made once per zone
const rounds = Array.from({ length: Number(args.rounds) }, () => round(Number(args.calls)).usPerCall).sort((a, b) => a - b);
console.log(`quoteRefund (${args.module}): ${args.calls} calls × ${args.rounds} rounds, µs per call — median ${rounds[Math.floor(rounds.length / 2)].toFixed(1)}, min ${rounds[0].toFixed(1)}, max ${rounds.at(-1).toFixed(1)}`);
