// A check of how the bench counts what the sidecars did in a scenario (scripts/lib/bench/dapr-metrics.mjs):
// daprd's Prometheus counters read before and after, the difference split into event deliveries
// (the outbox's internal topic apart), publishes and state operations by app. No system: the
// exposition text is daprd's own format, as scraped from a sidecar of this system.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const MODULE = path.resolve(__dirname, '..', '..', 'scripts', 'lib', 'bench', 'dapr-metrics.mjs');

const exposition = (n: { ingress: number; outbox: number; viewpage: number; set: number; tx: number; failed: number }) => `
# HELP dapr_component_pubsub_ingress_count The number of incoming messages arriving from the pub/sub component.
# TYPE dapr_component_pubsub_ingress_count counter
dapr_component_pubsub_ingress_count{app_id="message",component="pubsub",namespace="",process_status="success",status="success",topic="reservation-events"} ${n.ingress}
dapr_component_pubsub_ingress_count{app_id="message",component="outbox-pubsub",namespace="",process_status="success",status="success",topic="messageoutbox"} ${n.outbox}
dapr_component_pubsub_ingress_count{app_id="viewpage",component="pubsub",namespace="",process_status="success",status="success",topic="room-events"} ${n.viewpage}
dapr_component_pubsub_ingress_latencies_count{app_id="message",component="pubsub",namespace="",process_status="success",status="success",topic="reservation-events"} 999
dapr_component_pubsub_egress_count{app_id="reservation",component="pubsub",namespace="",success="true",topic="reservation-events"} ${n.ingress}
dapr_component_state_count{app_id="reservation",component="statestore",namespace="",operation="set",success="true"} ${n.set}
dapr_component_state_count{app_id="reservation",component="statestore",namespace="",operation="transaction",success="true"} ${n.tx}
dapr_component_state_count{app_id="message",component="statestore",namespace="",operation="set",success="false"} ${n.failed}
go_threads 12
`;

function countsBetween(before: string, after: string, operations: number): Record<string, any> {
  const script = `
    import { parseCounters, countsBetween } from ${JSON.stringify(MODULE)};
    const read = (text) => ({ samples: new Map(parseCounters(text).map((s) => [s.name + JSON.stringify(Object.entries(s.labels).sort()), s])), missing: [] });
    console.log(JSON.stringify(countsBetween(read(process.env.BEFORE), read(process.env.AFTER), Number(process.env.OPS))));
  `;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, BEFORE: before, AFTER: after, OPS: String(operations) },
  });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout) as Record<string, any>;
}

describe("the bench's count of what the sidecars did", () => {
  it('when counters grew during a scenario, then deliveries, publishes and state operations are the differences, per operation and by app', () => {
    const counts = countsBetween(
      exposition({ ingress: 10, outbox: 5, viewpage: 3, set: 100, tx: 20, failed: 0 }),
      exposition({ ingress: 30, outbox: 15, viewpage: 13, set: 160, tx: 40, failed: 2 }),
      10,
    );
    expect(counts.deliveries).toEqual({ message: { 'reservation-events': 20 }, viewpage: { 'room-events': 10 } });
    expect(counts.deliveriesPerOperation).toBe(3);
    expect(counts.outboxInternalPerOperation).toBe(1);
    expect(counts.publishes).toEqual({ 'reservation-events': 20 });
    expect(counts.stateOps).toEqual({ reservation: { set: 60, transaction: 20 }, message: { set: 2 } });
    expect(counts.stateOpsPerOperation).toBe(8.2);
    expect(counts.stateOpsPerOperationByApp).toEqual({ reservation: 8, message: 0.2 });
    expect(counts.failedStateOps).toBe(2);
  });

  it('when a series appears only after the scenario began, then all of it counts, and histogram series are not counters', () => {
    const counts = countsBetween('', exposition({ ingress: 4, outbox: 0, viewpage: 0, set: 0, tx: 0, failed: 0 }), 2);
    expect(counts.deliveriesTotal).toBe(4);
    expect(counts.deliveriesPerOperation).toBe(2);
  });
});
