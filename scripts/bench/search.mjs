#!/usr/bin/env node
// `npm run bench:search`: GET /search/rooms on a city of 10,000 rooms with 20 bookings each
// (issue 18: p99 ≤ 50 ms). The data set is written straight into viewpage's tables (a city and
// room ids unique to this run: seconds instead of hours of sagas), then the search is measured
// through the gateway with autocannon (as `npm run bench` does; every request carries a user's
// token), per kind of query: ordinary stays, the same by rating, and the worst case — a "peak"
// stay for which all but the 40 dearest rooms are booked, so the walk in price order passes
// almost every room before it finds a page. It prints p50/p95/p99, the query alone in MariaDB,
// and MariaDB's EXPLAIN / ANALYZE of the very SQL viewpage runs; then removes its rows (--keep
// leaves them). Start the system first (`npm start`), or let it start one with --start (it waits for
// /tmp/staycar-e2e.lock like a test run, starts every app and sidecar, measures, stops them).
//   npm run bench:search -- [--start] [--rooms 10000] [--bookings 20] [--duration 15] [--connections 1,8] [--keep] [--out DIR]
import fs from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { bearer, health, runId, signUpUsers } from '../lib/bench/api.mjs';
import { drive } from '../lib/bench/drive.mjs';
import { round, summarize } from '../lib/bench/stats.mjs';
import { ROOT } from '../lib/paths.mjs';
import { acquireE2eLock, releaseE2eLock } from '../lib/e2e-lock.mjs';
import { findApp, startAll, stopAll } from '../lib/system.mjs';

const require = createRequire(import.meta.url);

const { values: args } = parseArgs({
  options: {
    rooms: { type: 'string', default: '10000' },
    bookings: { type: 'string', default: '20' },
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '1,8' },
    'base-url': { type: 'string' },
    keep: { type: 'boolean', default: false },
    start: { type: 'boolean', default: false },
    'db-only': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(ROOT, 'test-output', 'bench', 'search') },
  },
});
const ROOMS = Number(args.rooms);
const BOOKINGS = Number(args.bookings);
const DURATION = Number(args.duration);
const CONNECTIONS = args.connections.split(',').map(Number);
/** Rooms left free on the peak stay: the dearest ones, the last a price-ordered walk reaches. */
const FREE_AT_PEAK = 40;
const DAY_MS = 86_400_000;
const PEAK = 200; // days from today
const HORIZON = 495;

const gateway = findApp('gateway');
const baseUrl = (args['base-url'] ?? `http://localhost:${gateway.appPort}`).replace(/\/+$/, '');
const viewDbUrl = findApp('viewpage').env.VIEW_DB_URL ?? 'mysql://staycar:staycar@127.0.0.1:3306/staycar';
if (!viewDbUrl.startsWith('mysql://')) {
  console.error(`✖ bench:search writes its data set into MariaDB/MySQL; this profile's view database is ${viewDbUrl.split(':')[0]}`);
  process.exit(2);
}
let searchQuery;
try {
  ({ searchQuery } = require(path.join(ROOT, 'services', 'viewpage', 'dist', 'adapters', 'mysql', 'roomSearch.js')));
} catch {
  console.error('✖ build first (`npm run build`): the bench explains the SQL of services/viewpage/dist');
  process.exit(2);
}

let started = false;
if (args.start) {
  await acquireE2eLock();
  started = true;
  await startAll({ timeoutMs: 120_000 });
  for (let i = 0; i < 120 && !(await health(baseUrl)).ok; i++) await sleep(500);
}
async function stopStarted() {
  if (!started) return;
  await stopAll();
  releaseE2eLock();
}
process.on('exit', () => {
  if (started) releaseE2eLock();
});

// Whatever fails, a system this script started is stopped again.
try {
  const up = args['db-only'] ? { ok: true } : await health(baseUrl);
  if (!up.ok) {
    console.error(`✖ staycar is not running (or not healthy): ${up.detail}. Start it with \`npm start\`.`);
    await stopStarted();
    process.exit(2);
  }

  /** Deterministic pseudo-random numbers (mulberry32): the same data set shape every run. */
  function rng(seed) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const random = rng(18);
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
  const today = Math.floor(Date.now() / DAY_MS);
  const dayOf = (offset) => new Date((today + offset) * DAY_MS).toISOString().slice(0, 10);

  const run = runId();
  const city = `bench-search-${run}`;
  const prefix = `bsr-${run}-`;
  const db = await mysql.createConnection({ uri: viewDbUrl, multipleStatements: false });

  // ---- the data set --------------------------------------------------------------------------------

  const now = new Date().toISOString();
  const rooms = Array.from({ length: ROOMS }, (_, i) => {
    const id = `${prefix}${String(i).padStart(5, '0')}`;
    const rated = random() < 0.6;
    return {
      id,
      price: 30_000 + 1_000 * int(0, 270),
      capacity: int(1, 6),
      rating: rated ? int(10, 50) / 10 : null,
      reviews: rated ? int(1, 40) : 0,
    };
  });
  const byPrice = [...rooms].sort((a, b) => a.price - b.price || (a.id < b.id ? -1 : 1));
  const freeAtPeak = new Set(byPrice.slice(-FREE_AT_PEAK).map((r) => r.id));

  /** A room's bookings: the peak stay first (unless it is one of the free ones), then random stays that never overlap. */
  function bookingsOf(room) {
    const taken = new Set();
    const stays = [];
    const add = (from, nights) => {
      for (let d = from; d < from + nights; d++) if (taken.has(d)) return false;
      for (let d = from; d < from + nights; d++) taken.add(d);
      stays.push([from, nights]);
      return true;
    };
    if (!freeAtPeak.has(room.id)) add(PEAK - 1, 4);
    while (stays.length < BOOKINGS) add(int(1, HORIZON - 6), int(1, 5));
    return stays;
  }

  async function insertChunked(sql, rows, size) {
    for (let i = 0; i < rows.length; i += size) await db.query(sql, [rows.slice(i, i + size)]);
  }

  const loadAtStart = os.loadavg();
  console.log(`load average at the start: ${loadAtStart.map((x) => x.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
  const t0 = Date.now();
  await insertChunked(
    'INSERT INTO view_room (roomId, hostId, city, room, version, deleted, listed, reviewCount, averageRating, reviewVersion, updatedAt, pricePerNight, capacity, ratingKey) VALUES ?',
    rooms.map((r, i) => [
      r.id,
      `bench-host-${run}`,
      city,
      JSON.stringify({ id: r.id, hostId: `bench-host-${run}`, name: `Search bench room ${i}`, city, pricePerNight: r.price, currency: 'KRW', description: '', capacity: r.capacity, createdAt: now, updatedAt: now }),
      1,
      0,
      1,
      r.reviews,
      r.rating,
      r.reviews,
      now,
      r.price,
      r.capacity,
      r.rating ?? 0,
    ]),
    2000,
  );
  let nightRows = 0;
  let bookingCount = 0;
  let batch = [];
  for (const room of rooms) {
    for (const [k, [from, nights]] of bookingsOf(room).entries()) {
      bookingCount++;
      for (let d = from; d < from + nights; d++) batch.push([room.id, dayOf(d), `${room.id}-b${k}`, city]);
    }
    if (batch.length >= 5000) {
      await db.query('INSERT INTO view_room_night (roomId, night, reservationId, city) VALUES ?', [batch]);
      nightRows += batch.length;
      batch = [];
    }
  }
  if (batch.length) await db.query('INSERT INTO view_room_night (roomId, night, reservationId, city) VALUES ?', [batch]);
  nightRows += batch.length;
  await db.query('ANALYZE TABLE view_room, view_room_night');
  const buildSeconds = round((Date.now() - t0) / 1000, 1);
  console.log(`✔ city ${city}: ${ROOMS} rooms, ${bookingCount} bookings (${nightRows} booked nights) written to viewpage's tables in ${buildSeconds} s`);

  // ---- the queries ---------------------------------------------------------------------------------

  const q = (params) => `/search/rooms?${new URLSearchParams({ city, limit: '20', ...params })}`;
  function typicalPaths(sort) {
    return Array.from({ length: 2000 }, () => {
      const from = int(1, HORIZON - 8);
      return q({ checkIn: dayOf(from), checkOut: dayOf(from + int(1, 7)), guests: String(int(1, 2)), sort });
    });
  }
  const KINDS = [
    { name: 'typical', title: 'random stays of 1–7 nights, 1–2 guests, cheapest first', paths: typicalPaths('price') },
    { name: 'typical-rating', title: 'the same, best rated first', paths: typicalPaths('rating') },
    {
      name: 'peak',
      title: `worst case: a stay booked in all but the ${FREE_AT_PEAK} dearest rooms, cheapest first`,
      paths: [q({ checkIn: dayOf(PEAK), checkOut: dayOf(PEAK + 2), sort: 'price' })],
    },
  ];

  const criteriaOf = (pathAndQuery) => {
    const s = new URL(pathAndQuery, 'http://x').searchParams;
    return {
      city,
      stay: { checkIn: s.get('checkIn'), checkOut: s.get('checkOut') },
      guests: Number(s.get('guests') ?? 1),
      minPrice: 0,
      maxPrice: 100_000_000,
      sort: s.get('sort') ?? 'price',
      limit: 21, // what viewpage asks: one more than the page, to know whether another follows
    };
  };
  // Correctness first: the peak page is made of the free rooms only, cheapest first.
  const peakAnswer = args['db-only']
    ? { items: (await db.query(...Object.values(searchQuery('mysql', { ...criteriaOf(KINDS[2].paths[0]), limit: 20 }))))[0].map((r) => ({ id: r.roomId })) }
    : await (await fetch(`${baseUrl}${KINDS[2].paths[0]}`)).json();
  const peakIds = (peakAnswer.items ?? []).map((r) => r.id);
  const peakOk = peakIds.length === 20 && peakIds.every((id) => freeAtPeak.has(id));
  console.log(`${peakOk ? '✔' : '✖'} the peak page holds ${peakIds.length} rooms, ${peakIds.filter((id) => freeAtPeak.has(id)).length} of them among the ${FREE_AT_PEAK} free ones`);

  const users = args['db-only'] ? [] : await signUpUsers(baseUrl, run, 'searcher', 20);
  const results = [];
  for (const kind of args['db-only'] ? [] : KINDS) {
    for (const connections of CONNECTIONS) {
      let k = 0;
      let u = 0;
      const load = await drive({
        url: baseUrl,
        connections,
        duration: DURATION,
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => ({ ...req, path: kind.paths[k++ % kind.paths.length], headers: { ...req.headers, ...bearer(users[u++ % users.length]) } }),
          },
        ],
      });
      const line = {
        kind: kind.name,
        connections,
        perSecond: load.all.perSecond,
        latencyMs: load.all.latencyMs,
        statuses: load.all.statuses,
        errors: load.errors + load.timeouts,
      };
      results.push(line);
      console.log(
        `${kind.name.padEnd(15)} ${String(connections).padStart(2)} conn: ${line.perSecond}/s · p50 ${line.latencyMs.p50} · p95 ${line.latencyMs.p95} · p99 ${line.latencyMs.p99} · max ${line.latencyMs.max} ms · ${JSON.stringify(line.statuses)}${line.errors ? ` · ${line.errors} errors` : ''}`,
      );
    }
  }

  // ---- the query alone, and its plan ---------------------------------------------------------------

  /** The first design, for comparison in the same sitting: one NOT EXISTS dive into (roomId, night) per room walked, the rows read as walked. */
  const firstDesign = (c) => {
    const key = c.sort === 'price' ? 'r.pricePerNight' : 'r.ratingKey';
    const direction = c.sort === 'price' ? 'ASC' : 'DESC';
    return {
      sql: `SELECT r.roomId, r.room, r.version, r.deleted, r.reviewCount, r.averageRating, r.reviewVersion, r.updatedAt FROM view_room r
        WHERE r.city = ? AND r.listed = true AND r.pricePerNight BETWEEN ? AND ? AND r.capacity >= ?
        AND NOT EXISTS (SELECT 1 FROM view_room_night n WHERE n.roomId = r.roomId AND n.night >= ? AND n.night < ?)
        ORDER BY ${key} ${direction}, r.roomId ${direction} LIMIT ?`,
      params: [c.city, c.minPrice, c.maxPrice, c.guests, c.stay.checkIn, c.stay.checkOut, c.limit],
    };
  };
  const firstDesignInDatabase = {};
  const inDatabase = {};
  const plans = {};
  for (const kind of KINDS) {
    const times = [];
    for (let i = 0; i < 200; i++) {
      const { sql, params } = searchQuery('mysql', criteriaOf(kind.paths[i % kind.paths.length]));
      const t = process.hrtime.bigint();
      await db.query(sql, params);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    inDatabase[kind.name] = summarize(times);
    const before = [];
    for (let i = 0; i < 50; i++) {
      const { sql, params } = firstDesign(criteriaOf(kind.paths[i % kind.paths.length]));
      const t = process.hrtime.bigint();
      await db.query(sql, params);
      before.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    firstDesignInDatabase[kind.name] = summarize(before);
    const { sql, params } = searchQuery('mysql', criteriaOf(kind.paths[0]));
    const [explain] = await db.query(`EXPLAIN ${sql}`, params);
    const [analyze] = await db.query(`ANALYZE FORMAT=JSON ${sql}`, params);
    plans[kind.name] = { sql: db.format(sql, params), explain, analyze: JSON.parse(Object.values(analyze[0])[0]) };
    console.log(`\n${kind.name}: the query alone in MariaDB (200 runs) p50 ${inDatabase[kind.name].p50} · p99 ${inDatabase[kind.name].p99} ms`);
    console.log(`  the first design (a NOT EXISTS dive per room, 50 runs): p50 ${firstDesignInDatabase[kind.name].p50} · p99 ${firstDesignInDatabase[kind.name].p99} ms`);
    console.table(explain.map(({ id, select_type, table, type, key, key_len, ref, rows, Extra }) => ({ id, select_type, table, type, key, key_len, ref, rows, Extra })));
    const block = plans[kind.name].analyze.query_block ?? {};
    /** The plan's node of the room index walk (alias `c`), wherever MariaDB nests it. */
    const find = (node) => {
      if (!node || typeof node !== 'object') return undefined;
      if (node.table_name === 'c') return node;
      for (const child of Object.values(node)) {
        const found = find(child);
        if (found) return found;
      }
      return undefined;
    };
    const walked = find(block);
    if (walked) console.log(`  ANALYZE: ${round(block.r_total_time_ms)} ms; ${walked.r_rows} rooms read from ${walked.key}, ${round(walked.r_filtered)} % kept`);
  }

  // ---- report and clean-up -------------------------------------------------------------------------

  const report = {
    at: new Date().toISOString(),
    loadAverage: { atStart: loadAtStart, atEnd: os.loadavg() },
    city,
    rooms: ROOMS,
    bookings: bookingCount,
    bookedNights: nightRows,
    buildSeconds,
    freeAtPeak: FREE_AT_PEAK,
    peakPageCorrect: peakOk,
    durationSeconds: DURATION,
    throughGateway: results,
    inDatabase,
    firstDesignInDatabase,
    plans,
  };
  fs.mkdirSync(args.out, { recursive: true });
  const file = path.join(args.out, `search-${report.at.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2));
  fs.writeFileSync(path.join(args.out, 'latest.json'), JSON.stringify(report, null, 2));
  console.log(`\nreport: ${path.relative(process.cwd(), file)}`);

  if (!args.keep) {
    await db.query('DELETE FROM view_room_night WHERE roomId LIKE ?', [`${prefix}%`]);
    await db.query('DELETE FROM view_room WHERE city = ?', [city]);
    console.log(`removed the data set (--keep leaves it: city ${city})`);
  }
  await db.end();
  await stopStarted();
  const slow = results.filter((r) => r.connections === 1 && !(r.latencyMs.p99 <= 50));
  if (results.length > 0) {
    console.log(slow.length ? `✘ p99 ≤ 50 ms missed for: ${slow.map((r) => r.kind).join(', ')}` : '✔ p99 ≤ 50 ms for every kind of query (1 connection)');
  }
  console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
  process.exit(peakOk && results.every((r) => r.errors === 0 && Object.keys(r.statuses).every((s) => s === '200')) ? 0 : 1);
} catch (error) {
  console.error(`✖ ${error?.stack ?? error}`);
  await stopStarted();
  process.exit(1);
}
