#!/usr/bin/env node
// RSS of every process of the running system (apps, sidecars, Redis, MariaDB), from /proc:
//   node scripts/bench/rss.mjs [--json out.json]
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { systemProcesses } from '../lib/bench/procs.mjs';
import { dataDir } from '../lib/paths.mjs';
import { loadApps } from '../lib/system.mjs';

const { values: cli } = parseArgs({ options: { json: { type: 'string' } } });
const field = (pid, name) => {
  try {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
};
const { procs } = systemProcesses(loadApps(), dataDir('run'));
const rows = procs.map((p) => ({ label: p.label, group: p.group, pid: p.pid, rssMB: field(p.pid, 'VmRSS'), anonMB: field(p.pid, 'RssAnon') }));
const sum = (group) => rows.filter((r) => !group || r.group === group).reduce((s, r) => s + (r.rssMB ?? 0), 0);
for (const r of rows) console.log(`${r.label.padEnd(20)} ${r.rssMB?.toFixed(1).padStart(7)} MB (anon ${r.anonMB?.toFixed(1)})`);
console.log(`apps ${sum('apps').toFixed(0)} MB · sidecars ${sum('sidecars').toFixed(0)} MB · stores ${sum('stores').toFixed(0)} MB · all ${sum().toFixed(0)} MB`);
if (cli.json) fs.writeFileSync(cli.json, JSON.stringify(rows, null, 2));
