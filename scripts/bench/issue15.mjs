#!/usr/bin/env node
// One sitting of issue 15's table against the running system: the closed-loop maxima and CPU
// (register, reserve, reserve-room, browse, lag) into DIR/closed, then the open loop at half of
// each maximum (register, reserve, browse) into DIR/open. Compare two sittings with
// `npm run bench:compare -- --before DIR1 --after DIR2`.
//   npm run bench:issue15 -- --out DIR [--duration S] [any other `npm run bench` option]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../lib/paths.mjs';

const argv = process.argv.slice(2);
const at = argv.indexOf('--out');
if (at < 0 || !argv[at + 1]) {
  console.error('usage: npm run bench:issue15 -- --out DIR [--duration S] [bench options]');
  process.exit(2);
}
const out = path.resolve(argv[at + 1]);
const rest = argv.filter((_, i) => i !== at && i !== at + 1);
const bench = (scenarios, sub, extra = []) =>
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'bench.mjs'), '--scenario', scenarios, '--out', path.join(out, sub), ...extra, ...rest], { stdio: 'inherit' }).status;
const closed = bench('register,reserve,reserve-room,browse,lag', 'closed');
const open = bench('register,reserve,browse', 'open', ['--rate', 'auto']);
console.log(`\nissue 15 sitting in ${out}: closed loop exit ${closed}, open loop exit ${open}`);
process.exit(closed === 0 && open === 0 ? 0 : 1);
