#!/usr/bin/env node
// HTTP or gRPC between our services and their sidecars? Reads one key through one app's sidecar
// with the @dapr/dapr client over each protocol, in turns, and prints per call: wall time, this
// process's CPU (the client's share) and that sidecar's CPU (from /proc). Needs `npm start`.
//   node scripts/lib/bench/sdk-protocol.mjs [--app message] [--calls 3000] [--rounds 2]
import { parseArgs } from 'node:util';
import { CommunicationProtocolEnum, DaprClient, LogLevel } from '@dapr/dapr';
import { cpuSeconds, systemProcesses } from './procs.mjs';
import { dataDir } from '../paths.mjs';
import { loadApps } from '../system.mjs';

const { values: cli } = parseArgs({
  options: { app: { type: 'string', default: 'message' }, calls: { type: 'string', default: '3000' }, rounds: { type: 'string', default: '2' } },
});
const calls = Number(cli.calls);
const app = loadApps().find((a) => a.appID === cli.app);
if (!app) throw new Error(`no app "${cli.app}" in dapr.yaml`);
const sidecar = systemProcesses([app], dataDir('run')).procs.find((p) => p.group === 'sidecars');
if (!sidecar) throw new Error(`${cli.app}'s sidecar is not running: start the system with \`npm start\` first`);
const store = process.env.STATE_STORE ?? 'statestore';
const key = `sdk-protocol-bench-${process.pid}`;

async function measure(name, protocol, port) {
  const client = new DaprClient({ daprHost: '127.0.0.1', daprPort: String(port), communicationProtocol: protocol, isKeepAlive: true, logger: { level: LogLevel.Error } });
  await client.state.save(store, [{ key, value: { text: 'x'.repeat(200) } }]);
  for (let i = 0; i < 300; i++) await client.state.get(store, key); // warm-up
  const node0 = process.cpuUsage();
  const daprd0 = cpuSeconds(sidecar.pid);
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await client.state.get(store, key);
  const wall = performance.now() - t0;
  const node = process.cpuUsage(node0);
  const daprd = (cpuSeconds(sidecar.pid) - daprd0) * 1000;
  const perCall = (ms) => (ms / calls).toFixed(3);
  console.log(`${name.padEnd(4)} state get: ${perCall(wall)} ms wall · ${perCall((node.user + node.system) / 1000)} ms client CPU · ${perCall(daprd)} ms sidecar CPU`);
  await client.state.delete(store, key);
}

for (let round = 0; round < Number(cli.rounds); round++) {
  await measure('http', CommunicationProtocolEnum.HTTP, app.daprHTTPPort);
  await measure('grpc', CommunicationProtocolEnum.GRPC, app.daprGRPCPort);
}
process.exit(0); // the gRPC client keeps the event loop alive
