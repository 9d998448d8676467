// The benchmark's report: printed per scenario, and written as JSON + Markdown under
// test-output/bench/ (bench-<time>.json/.md, and latest.json/.md).
import fs from 'node:fs';
import path from 'node:path';

const ms = (x) => (x === null || x === undefined ? '-' : String(x));
const statusText = (statuses) =>
  Object.keys(statuses).length === 0 ? 'none' : Object.entries(statuses).map(([code, n]) => `${code}×${n}`).join(' ');
const mark = (met) => (met === true ? '✔' : met === false ? '✘' : '·');

/** Lines describing one scenario's result, for the terminal and the Markdown. */
export function scenarioLines(r) {
  const lines = [];
  if (r.error) return [`  ✘ not run: ${r.error}`];
  const a = r.load.all;
  const o = r.load.openLoop;
  lines.push(`  mode: ${modeText(r)}`);
  if (r.auto) {
    lines.push(`  closed-loop maximum (probe, ${r.auto.seconds} s, ${r.auto.connections} connections): ${r.auto.maxPerSecond}/s, p50 ${ms(r.auto.latencyMs.p50)} · p99 ${ms(r.auto.latencyMs.p99)} ms → open loop at ${Math.round(r.auto.fraction * 100)} % of it`);
  }
  if (o) {
    lines.push(`  ${r.load.seconds} s at ${o.askedRate}/s asked: ${o.started} of ${o.scheduled} started, achieved ${o.achievedRate}/s; ${a.responses} responses, ${a.perSecond}/s; ${r.primary.label}: ${r.primary.perSecond}`);
    lines.push(`  dropped ${o.dropped} · late starts (> ${o.lateMs} ms behind schedule) ${o.late} · start delay p99 ${ms(o.startDelayMs.p99)} ms · in flight peak ${o.peakInFlight} of max ${o.maxInFlight}${o.maxInFlightHit ? ' — ⚠ MAX IN-FLIGHT HIT: arrivals were dropped, the system did not keep up with the rate' : ''}`);
  } else {
    lines.push(`  ${r.load.seconds} s, ${r.load.connections} connections${r.rate ? `, rate ${r.rate}/s` : ''}: ${a.responses} responses, ${a.perSecond}/s; ${r.primary.label}: ${r.primary.perSecond}`);
  }
  lines.push(`  latency ms (all answers${o ? ', from the scheduled start' : ''}): p50 ${ms(a.latencyMs.p50)} · p90 ${ms(a.latencyMs.p90)} · p95 ${ms(a.latencyMs.p95)} · p99 ${ms(a.latencyMs.p99)} · max ${ms(a.latencyMs.max)}`);
  if (o) {
    const t = o.serviceTimeMs;
    lines.push(`  … from the actual send: p50 ${ms(t.p50)} · p90 ${ms(t.p90)} · p99 ${ms(t.p99)} · max ${ms(t.max)}`);
  }
  if (Object.keys(r.load.series).length > 1) {
    for (const [name, s] of Object.entries(r.load.series)) {
      lines.push(`    ${name}: ${s.responses} responses, p50 ${ms(s.latencyMs.p50)} · p90 ${ms(s.latencyMs.p90)} · p95 ${ms(s.latencyMs.p95)} · p99 ${ms(s.latencyMs.p99)}`);
    }
  }
  lines.push(`  statuses: ${statusText(a.statuses)} · non-2xx: ${statusText(a.non2xx)} · connection errors ${r.load.errors} · timeouts ${r.load.timeouts}`);
  const c = r.cpu.load;
  lines.push(
    `  CPU of the system during load: ${c.totalSeconds} s = ${ms(c.perKiloOps)} CPU-s per 1,000 requests = CPU-ms per request (${Object.entries(c.perGroup).map(([g, s]) => `${g} ${s}`).join(', ')})`,
  );
  if (r.cpu.idle) {
    const i = r.cpu.idle;
    lines.push(`  idle baseline just before: ${i.perSecond} CPU-s/s (${Object.entries(i.perGroup).map(([g, s]) => `${g} ${s}`).join(', ')} in ${i.seconds} s) → above idle: ${c.netSeconds} s = ${ms(c.netPerKiloOps)} CPU-s per 1,000 requests`);
  }
  if (r.cpu.untilDrained) {
    const d = r.cpu.untilDrained;
    lines.push(`  … including the events' delivery until drained: ${d.totalSeconds} s = ${ms(d.perKiloOps)} CPU-s per 1,000 requests`);
  }
  lines.push(`  busiest: ${Object.entries(c.perProcess).sort((x, y) => y[1] - x[1]).slice(0, 6).map(([p, s]) => `${p} ${s}`).join(', ')} · load generator ${r.cpu.loadGeneratorSeconds} s`);
  if (r.rss) {
    const rss = (x) => `${x.totalMiB} MiB (${Object.entries(x.perGroup).map(([g, v]) => `${g} ${v}`).join(', ')})`;
    lines.push(`  RSS of the ${r.rss.atRest.processes} processes: at rest before the load ${rss(r.rss.atRest)} → at the end of the load ${rss(r.rss.endOfLoad)}`);
    lines.push(`    at the end, largest: ${Object.entries(r.rss.endOfLoad.perProcess).sort((x, y) => y[1] - x[1]).slice(0, 8).map(([p, v]) => `${p} ${v}`).join(', ')}`);
  }
  if (r.dapr) {
    const d = r.dapr;
    const per = (o) => Object.entries(o).map(([k, v]) => `${k} ${typeof v === 'number' ? v : Object.entries(v).map(([t, n]) => `${t}:${n}`).join('+')}`).join(', ');
    lines.push(`  sidecars counted per ${r.primary.label.replace(/\/s$/, '')} (${d.operations}): ${d.deliveriesPerOperation} event deliveries to apps (+ ${d.outboxInternalPerOperation} outbox-internal), ${d.stateOpsPerOperation} state operations${d.failedStateOps ? ` (${d.failedStateOps} failed in all)` : ''}`);
    lines.push(`    deliveries: ${per(d.deliveries) || 'none'} · published: ${per(d.publishes) || 'none'}`);
    lines.push(`    state operations per ${r.primary.label.replace(/\/s$/, '')} by app: ${per(d.stateOpsPerOperationByApp) || 'none'}${d.missing.length ? ` · ⚠ no metrics from ${d.missing.join(', ')}` : ''}`);
  }
  if (r.extra?.viewLagMs) {
    const v = r.extra.viewLagMs;
    lines.push(`  view lag (201 → in GET /roomviews/{id}), ${v.count} samples, poll ${v.pollIntervalMs} ms: p50 ${ms(v.p50)} · p90 ${ms(v.p90)} · p99 ${ms(v.p99)} · max ${ms(v.max)}`);
  }
  if (r.extra?.sidecarOverhead) {
    lines.push(`  ${r.extra.sidecarOverhead.route}, direct vs ${r.extra.sidecarOverhead.via}:`);
    lines.push('    pct    direct ms   two sidecars ms   added (2 hops) ms   added per hop ms   Dapr published, 2 hops ms');
    for (const row of r.extra.sidecarOverhead.rows) {
      lines.push(`    ${row.percentile.padEnd(5)} ${ms(row.directMs).padStart(10)}   ${ms(row.twoSidecarsMs).padStart(15)}   ${ms(row.addedTwoSidecarsMs).padStart(17)}   ${ms(row.addedPerHopMs).padStart(16)}   ${ms(row.publishedTwoSidecarsMs)}`);
    }
  }
  if (r.drain) {
    const groups = (r.drain.groups ?? []).map((g) => `${g.group} lag ${g.lag} pending ${g.pending}`).join('; ');
    const ignored = r.drain.ignored?.length ? ` (not ours, ignored: ${r.drain.ignored.join(', ')})` : '';
    lines.push(`  consumer groups of ${r.drain.stream ?? 'the topic'}: ${r.drain.ok ? 'drained' : 'NOT drained'} after ${(r.drain.waitedMs / 1000).toFixed(1)} s${r.drain.error ? ` (${r.drain.error})` : ''}${groups ? ` — ${groups}` : ''}${ignored}`);
    const d = r.drain.deliveries;
    if (d) {
      const parts = Object.entries(d.byAppTopic)
        .map(([k, v]) => `${k} ${v.events}${v.calls !== v.events ? ` in ${v.calls} calls` : ''}`)
        .join('; ');
      lines.push(`  event deliveries (sidecar metrics): ${d.events} events in ${d.calls} app calls, per ${r.primary?.label ?? 'request'}: ${d.eventsPerRequest} events, ${d.callsPerRequest} calls — ${parts}`);
    }
  }
  for (const check of r.checks) lines.push(`  ${check.ok ? '✔' : '✘'} ${check.name}: ${check.detail}`);
  for (const t of r.targets) lines.push(`  ${mark(t.met)} target ${t.name}: want ${t.want}, got ${ms(t.got)}`);
  return lines;
}

/** The scenario's mode in words: closed loop (maximum, or capped) or open loop at a fixed rate. */
export function modeText(r) {
  if (r.mode === 'open-loop') {
    return `open loop, fixed arrival rate ${r.rate}/s${r.auto ? ` (${Math.round(r.auto.fraction * 100)} % of the closed-loop maximum ${r.auto.maxPerSecond}/s)` : ''}, at most ${r.maxInFlight} in flight`;
  }
  return r.rate ? `closed loop capped at ${r.rate}/s (autocannon overallRate)` : 'closed loop (each connection sends when its last answer came: the maximum)';
}

export function writeReport(dir, report) {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const json = JSON.stringify(report, null, 2);
  const md = markdown(report);
  const files = [path.join(dir, `bench-${stamp}.json`), path.join(dir, `bench-${stamp}.md`)];
  fs.writeFileSync(files[0], json);
  fs.writeFileSync(files[1], md);
  fs.writeFileSync(path.join(dir, 'latest.json'), json);
  fs.writeFileSync(path.join(dir, 'latest.md'), md);
  return files;
}

function markdown(report) {
  const out = [
    `# staycar benchmark — ${report.startedAt}${report.profile ? ` — profile ${report.profile}` : ''}`,
    '',
    `Target ${report.baseUrl}; ${report.machine.cpus} CPUs (${report.machine.model}), load average at start ${report.machine.loadAverage.join(' / ')}; node ${report.machine.node}.`,
    `System processes measured (${report.processes.source}): ${report.processes.list.map((p) => `${p.label} (${p.pid})`).join(', ')}.`,
    '',
    '| scenario | mode | s | conns | asked/s | req/s | dropped | primary | p50 ms | p90 ms | p95 ms | p99 ms | max ms | non-2xx | CPU-s / 1k req | above idle | RSS MiB rest → end | checks |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.scenarios) {
    if (r.error) {
      out.push(`| ${r.name} | ${r.mode ?? ''} | | | | | | | | | | | | | | | | not run: ${r.error.replace(/\|/g, '/')} |`);
      continue;
    }
    const a = r.load.all;
    const o = r.load.openLoop;
    out.push(
      `| ${r.name} | ${r.mode} | ${r.load.seconds} | ${r.load.connections} | ${o ? o.askedRate : ms(r.rate)} | ${a.perSecond} | ${o ? `${o.dropped}${o.maxInFlightHit ? ' (max in-flight hit)' : ''}` : '-'} | ${r.primary.perSecond} ${r.primary.label} | ${ms(a.latencyMs.p50)} | ${ms(a.latencyMs.p90)} | ${ms(a.latencyMs.p95)} | ${ms(a.latencyMs.p99)} | ${ms(a.latencyMs.max)} | ${statusText(a.non2xx)} | ${ms(r.cpu.load.perKiloOps)} | ${ms(r.cpu.load.netPerKiloOps)} | ${r.rss ? `${r.rss.atRest.totalMiB} → ${r.rss.endOfLoad.totalMiB}` : '-'} | ${r.checks.every((c) => c.ok) ? 'ok' : 'FAILED'} |`,
    );
  }
  for (const r of report.scenarios) {
    out.push('', `## ${r.name} — ${r.title}`, '', '```', ...scenarioLines(r), '```');
  }
  out.push('');
  return out.join('\n');
}
