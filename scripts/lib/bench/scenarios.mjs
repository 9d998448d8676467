// The benchmark's scenarios, the same as the k6 scripts in loadtest/ (one file per name). Each
// prepares its own users (signed up, with tokens) and data through the public API, describes one
// autocannon run whose every request carries a user's token, and checks what it must
// (correctness, never timing: timing is reported against the issue's targets).
import { setTimeout as sleep } from 'node:timers/promises';
import { bearer, call, createCars, createRooms, listAll, MAX_STAY_OFFSET, runId, signUpUsers, stay, usersFor } from './api.mjs';
import { round, summarize } from './stats.mjs';
import { tokensFor } from '../app-tokens.mjs';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Dapr's published service-invocation figure: two sidecars add ~1.40 ms at p90, ~2.10 ms at p99. */
export const PUBLISHED_TWO_SIDECARS_MS = { p90: 1.4, p99: 2.1 };

const countOf = (run, status) => run.all.statuses[status] ?? 0;
const unexpectedStatuses = (run, allowed) =>
  Object.fromEntries(Object.entries(run.all.statuses).filter(([code]) => !allowed.includes(Number(code))));
const target = (name, want, got, met) => ({ name, want, got, met });
const noUnexpected = (run, allowed) => {
  const other = unexpectedStatuses(run, allowed);
  const n = Object.values(other).reduce((a, b) => a + b, 0) + run.errors + run.timeouts;
  return {
    name: `only ${allowed.join('/')} answers (no errors, timeouts or other statuses)`,
    ok: n === 0,
    detail: n === 0 ? 'none' : `${JSON.stringify(other)}, ${run.errors} connection errors, ${run.timeouts} timeouts`,
  };
};

/**
 * Signs up `count` users of a role for a scenario and says so (the identity app hashes two
 * passwords per user: a few seconds before the load, never inside it).
 */
async function usersOf(ctx, run, role, count) {
  const t0 = Date.now();
  const users = await signUpUsers(ctx.baseUrl, run, role, count);
  console.log(`  ${count} ${role} user${count === 1 ? '' : 's'} signed up and signed in (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return users;
}

/** The next of `users` in turn: requests are spread evenly over them, whatever the connection. */
function inTurn(users) {
  let i = 0;
  return () => users[i++ % users.length];
}

/**
 * One POST /reservations request whose body and caller are made per request by `next()`:
 * `{body, as, key?}`. The body names no guestId: the guest is the caller whose token it carries.
 */
function reservationRequest(next, extra = {}) {
  return {
    method: 'POST',
    path: '/reservations',
    headers: JSON_HEADERS,
    setupRequest: (req) => {
      const { body, key, as } = next();
      return { ...req, headers: { ...req.headers, ...bearer(as), ...(key ? { 'idempotency-key': key } : {}) }, body: JSON.stringify(body) };
    },
    ...extra,
  };
}

/** Hosts that own the saga's rooms and cars (lag's pollers read a room's view as its host). */
const SAGA_HOSTS = 4;

/**
 * The `reserve` plan: request k → room k mod R with its car, night floor(k / R), by guest k mod G.
 * Room i and car i belong to host i mod SAGA_HOSTS.
 */
async function sagaFixtures(ctx, count, { withCar = true } = {}) {
  const run = runId();
  const hosts = await usersOf(ctx, run, 'host', SAGA_HOSTS);
  const guests = await usersOf(ctx, run, 'guest', usersFor(ctx.options.connections));
  const [rooms, cars] = await Promise.all([createRooms(ctx.baseUrl, run, count, hosts), withCar ? createCars(ctx.baseUrl, run, count, hosts) : []]);
  const hostOfRoom = new Map(rooms.map((id, i) => [id, hosts[i % hosts.length]]));
  return { run, rooms, cars, withCar, guests, hostOfRoom, k: 0, wrapped: false };
}
function nextSaga(state) {
  const k = state.k++;
  const r = k % state.rooms.length;
  let night = Math.floor(k / state.rooms.length);
  if (night > MAX_STAY_OFFSET) {
    // Every night of every room inside the 500-day horizon is taken: start over (those answer
    // 409 and show as such); more rooms (--rooms) make the plan longer.
    if (!state.wrapped) console.warn(`  ⚠ the plan used every night of its ${state.rooms.length} rooms within the horizon: more --rooms for a run this long`);
    state.wrapped = true;
    night %= MAX_STAY_OFFSET + 1;
  }
  return {
    key: `saga-${state.run}-${k}`,
    as: state.guests[k % state.guests.length],
    body: { roomId: state.rooms[r], ...(state.withCar ? { carId: state.cars[r] } : {}), ...stay(night, 1), payment: { method: 'card', token: 'tok_bench' } },
  };
}

export const SCENARIOS = [
  {
    name: 'register',
    title: 'hosts register rooms (POST /rooms)',
    defaults: { connections: 100 },
    events: true,
    async prepare(ctx) {
      const run = runId();
      return { run, hosts: await usersOf(ctx, run, 'host', usersFor(ctx.options.connections)), k: 0 };
    },
    load(state, ctx) {
      return {
        url: ctx.baseUrl,
        requests: [
          {
            method: 'POST',
            path: '/rooms',
            headers: JSON_HEADERS,
            setupRequest: (req) => {
              const i = state.k++;
              const host = state.hosts[i % state.hosts.length];
              return {
                ...req,
                headers: { ...req.headers, ...bearer(host) },
                body: JSON.stringify({ name: `bench room ${i}`, city: `bench-${state.run}`, pricePerNight: 40_000 + (i % 1000), capacity: 2 }),
              };
            },
          },
        ],
      };
    },
    primary: { label: 'rooms registered/s', status: 201 },
    async verify(_state, _ctx, run) {
      return { checks: [noUnexpected(run, [201])] };
    },
    targets: (run) => [
      target('registered/s', '≥ 900', round(countOf(run, 201) / run.exactSeconds, 1), countOf(run, 201) / run.exactSeconds >= 900),
      target('p99 ms', '≤ 50', run.all.latencyMs.p99, run.all.latencyMs.p99 !== null && run.all.latencyMs.p99 <= 50),
    ],
  },
  {
    name: 'reserve',
    title: 'the full saga with a car, spread over many rooms (POST /reservations)',
    defaults: { connections: 50, rooms: 200 },
    events: true,
    prepare: (ctx) => sagaFixtures(ctx, ctx.options.rooms ?? 200),
    load: (state, ctx) => ({ url: ctx.baseUrl, requests: [reservationRequest(() => nextSaga(state))] }),
    primary: { label: 'confirmed/s', status: 201 },
    async verify(_state, _ctx, run) {
      return { checks: [noUnexpected(run, [201, 409])] };
    },
    targets: (run) => [
      target('confirmed/s', '≥ 300', round(countOf(run, 201) / run.exactSeconds, 1), countOf(run, 201) / run.exactSeconds >= 300),
      target('p99 ms', '≤ 150', run.all.latencyMs.p99, run.all.latencyMs.p99 !== null && run.all.latencyMs.p99 <= 150),
      target('409s (none intended here)', '0', countOf(run, 409), countOf(run, 409) === 0),
    ],
  },
  {
    name: 'reserve-room',
    title: 'the saga without a car, spread over many rooms (POST /reservations)',
    defaults: { connections: 50, rooms: 200 },
    events: true,
    prepare: (ctx) => sagaFixtures(ctx, ctx.options.rooms ?? 200, { withCar: false }),
    load: (state, ctx) => ({ url: ctx.baseUrl, requests: [reservationRequest(() => nextSaga(state))] }),
    primary: { label: 'confirmed/s', status: 201 },
    async verify(_state, _ctx, run) {
      return { checks: [noUnexpected(run, [201, 409])] };
    },
    targets: (run) => [
      target('confirmed/s', '≥ 90', round(countOf(run, 201) / run.exactSeconds, 1), countOf(run, 201) / run.exactSeconds >= 90),
      target('409s (none intended here)', '0', countOf(run, 409), countOf(run, 409) === 0),
    ],
  },
  {
    name: 'contend',
    title: 'many guests race for few rooms and stays (mostly 409), then exactly one winner per stay',
    defaults: { connections: 50, rooms: 5 },
    events: true,
    async prepare(ctx) {
      const run = runId();
      const [host] = await usersOf(ctx, run, 'host', 1);
      const guests = await usersOf(ctx, run, 'rival', usersFor(ctx.options.connections));
      return { run, rooms: await createRooms(ctx.baseUrl, run, ctx.options.rooms ?? 5, [host]), slots: 4, nights: 2, guests, k: 0 };
    },
    load(state, ctx) {
      return {
        url: ctx.baseUrl,
        requests: [
          reservationRequest(() => {
            const k = state.k++;
            const slot = Math.floor(k / state.rooms.length) % state.slots;
            const body = {
              roomId: state.rooms[k % state.rooms.length],
              ...stay(slot * state.nights, state.nights),
              payment: { method: 'card', token: 'tok_bench' },
            };
            return { body, as: state.guests[k % state.guests.length] };
          }),
        ],
      };
    },
    primary: { label: 'answers/s (201 + 409)', status: [201, 409] },
    async verify(state, ctx, run) {
      // Read back every reservation of every guest that took part (the reservation service is the
      // source of truth), each with that guest's token (a reservation is seen only by its guest),
      // and count confirmed ones per (room, stay); a list may trail its writes a little, so wait
      // up to 30 s for every stay to have its winner.
      const expected = state.rooms.length * state.slots;
      let counts = new Map();
      const deadline = Date.now() + 30_000;
      for (;;) {
        counts = new Map();
        for (const guest of state.guests) {
          for (const r of await listAll(ctx.baseUrl, '/reservations', guest)) {
            if (r.status !== 'confirmed') continue;
            const key = `${r.roomId} ${r.checkIn}..${r.checkOut}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
        }
        if (counts.size >= expected || Date.now() > deadline) break;
        await sleep(1000);
      }
      const wrong = [];
      for (const room of state.rooms) {
        for (let s = 0; s < state.slots; s++) {
          const { checkIn, checkOut } = stay(s * state.nights, state.nights);
          const key = `${room} ${checkIn}..${checkOut}`;
          if ((counts.get(key) ?? 0) !== 1) wrong.push(`${key}: ${counts.get(key) ?? 0}`);
        }
      }
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      return {
        checks: [
          noUnexpected(run, [201, 409]),
          {
            name: 'exactly one confirmed reservation per (room, stay), read back with GET /reservations as each guest',
            ok: wrong.length === 0 && total === expected,
            detail: `${total} confirmed for ${expected} stays${wrong.length ? `; wrong: ${wrong.slice(0, 10).join('; ')}` : ''}`,
          },
          { name: 'as many 201 answers as stays', ok: countOf(run, 201) === expected, detail: `${countOf(run, 201)} × 201 for ${expected} stays` },
        ],
      };
    },
    targets: (run) => [
      target('409 share', 'most', `${round((100 * countOf(run, 409)) / Math.max(1, run.all.responses), 1)} %`, countOf(run, 409) > run.all.responses / 2),
      target('p99 ms', 'fast (≤ 100)', run.all.latencyMs.p99, run.all.latencyMs.p99 !== null && run.all.latencyMs.p99 <= 100),
    ],
  },
  {
    name: 'browse',
    title: 'hosts browse their view and rooms and search free rooms (GET /roomviews, GET /rooms/{id}, GET /search/rooms)',
    defaults: { connections: 50, rooms: 50 },
    events: false,
    async prepare(ctx) {
      const run = runId();
      const hosts = await usersOf(ctx, run, 'host', usersFor(ctx.options.connections));
      return { run, hosts, next: inTurn(hosts), rooms: await createRooms(ctx.baseUrl, run, ctx.options.rooms ?? 50, hosts), k: 0 };
    },
    load(state, ctx) {
      // Each host sees its own rooms in /roomviews (rooms are spread over the hosts). GET
      // /rooms/{id} is public but carries a token too: anonymous calls count against the client
      // address, which this one machine would exhaust at once.
      return {
        url: ctx.baseUrl,
        requests: [
          { method: 'GET', path: '/roomviews?limit=20', setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...bearer(state.next()) } }) },
          {
            method: 'GET',
            setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...bearer(state.next()) }, path: `/rooms/${state.rooms[state.k++ % state.rooms.length]}` }),
          },
          {
            // This run's city, a stay of 1–3 nights in the next 300 days (as loadtest/browse.js).
            method: 'GET',
            setupRequest: (req) => {
              const k = state.k++;
              const { checkIn, checkOut } = stay(k % 300, 1 + (k % 3));
              const path = `/search/rooms?city=${encodeURIComponent(`bench-${state.run}`)}&checkIn=${checkIn}&checkOut=${checkOut}&guests=${1 + (k % 2)}&limit=20`;
              return { ...req, headers: { ...req.headers, ...bearer(state.next()) }, path };
            },
          },
        ],
      };
    },
    primary: { label: 'reads/s', status: 200 },
    async verify(_state, _ctx, run) {
      return { checks: [noUnexpected(run, [200])] };
    },
    targets: (run) => [target('reads/s', '≥ 2000', run.all.perSecond, run.all.perSecond >= 2000)],
  },
  {
    // GET /roomviews alone (issue 15, lever 6): every request a full 200 answer, the read path's
    // worst case (a client that revalidates with If-None-Match gets 304s: `roomviews-revalidate`).
    name: 'roomviews',
    title: "hosts read their view (GET /roomviews?limit=20), full answers",
    defaults: { connections: 50, rooms: 50 },
    events: false,
    async prepare(ctx) {
      const run = runId();
      const hosts = await usersOf(ctx, run, 'host', usersFor(ctx.options.connections));
      await createRooms(ctx.baseUrl, run, ctx.options.rooms ?? 50, hosts);
      return { next: inTurn(hosts) };
    },
    load(state, ctx) {
      return {
        url: ctx.baseUrl,
        requests: [{ method: 'GET', path: '/roomviews?limit=20', setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...bearer(state.next()) } }) }],
      };
    },
    primary: { label: 'reads/s', status: 200 },
    async verify(_state, _ctx, run) {
      return { checks: [noUnexpected(run, [200])] };
    },
    targets: (run) => [target('reads/s', '≥ 1500', run.all.perSecond, run.all.perSecond >= 1500)],
  },
  {
    // What a polling client (the dashboard, every 2 s) costs when nothing changed: each host asks
    // GET /roomviews with the ETag of the answer it holds, and gets 304 without a body.
    name: 'roomviews-revalidate',
    title: 'hosts revalidate their view (GET /roomviews?limit=20 with If-None-Match: 304)',
    defaults: { connections: 50, rooms: 50 },
    events: false,
    async prepare(ctx) {
      const run = runId();
      const hosts = await usersOf(ctx, run, 'host', usersFor(ctx.options.connections));
      await createRooms(ctx.baseUrl, run, ctx.options.rooms ?? 50, hosts);
      // The view is built from events: wait until each host's answer stops changing, then keep its ETag.
      const tags = new Map();
      for (let round = 0; round < 20; round++) {
        let changed = 0;
        for (const host of hosts) {
          const res = await fetch(`${ctx.baseUrl}/roomviews?limit=20`, { headers: bearer(host) });
          await res.arrayBuffer();
          const tag = res.headers.get('etag');
          if (tag !== tags.get(host)) changed++;
          tags.set(host, tag);
        }
        if (round > 0 && changed === 0) break;
        await sleep(500);
      }
      return { next: inTurn(hosts), tags };
    },
    load(state, ctx) {
      return {
        url: ctx.baseUrl,
        requests: [
          {
            method: 'GET',
            path: '/roomviews?limit=20',
            setupRequest: (req) => {
              const host = state.next();
              const tag = state.tags.get(host);
              return { ...req, headers: { ...req.headers, ...bearer(host), ...(tag ? { 'if-none-match': tag } : {}) } };
            },
          },
        ],
      };
    },
    primary: { label: 'revalidations/s', status: 304 },
    async verify(_state, _ctx, run) {
      return { checks: [noUnexpected(run, [304])] };
    },
    targets: (run) => [target('revalidations/s', '≥ 1500', run.all.perSecond, run.all.perSecond >= 1500)],
  },
  {
    name: 'lag',
    title: 'reserve load while sampling the time from a 201 to the reservation in GET /roomviews/{roomId}',
    defaults: { connections: 50, rooms: 200 },
    events: true,
    async prepare(ctx) {
      const state = await sagaFixtures(ctx, ctx.options.rooms ?? 200);
      return { ...state, samples: [], pollers: [], inFlight: 0, lastSampleAt: 0, pollMs: 50, timeoutMs: 30_000 };
    },
    load(state, ctx) {
      const sample = (reservation, confirmedAt) => {
        state.inFlight++;
        const poller = (async () => {
          try {
            while (Date.now() - confirmedAt < state.timeoutMs) {
              // A room's view is shown to its host only.
              const as = state.hostOfRoom.get(reservation.roomId);
              const { status, body } = await call(ctx.baseUrl, 'GET', `/roomviews/${encodeURIComponent(reservation.roomId)}`, undefined, { as }).catch(() => ({ status: 0 }));
              if (status === 200 && (body.reservations ?? []).some((r) => r.reservationId === reservation.id)) {
                state.samples.push(Date.now() - confirmedAt);
                return;
              }
              await sleep(state.pollMs);
            }
            state.samples.push(null);
          } finally {
            state.inFlight--;
          }
        })();
        state.pollers.push(poller);
      };
      return {
        url: ctx.baseUrl,
        requests: [
          reservationRequest(() => nextSaga(state), {
            // Samples at most one reservation per 100 ms, at most 8 watched at once.
            onResponse: (status, body) => {
              const now = Date.now();
              if (status !== 201 || now - state.lastSampleAt < 100 || state.inFlight >= 8) return;
              state.lastSampleAt = now;
              try {
                sample(JSON.parse(body), now);
              } catch {
                /* not JSON: not a sample */
              }
            },
          }),
        ],
      };
    },
    primary: { label: 'confirmed/s', status: 201 },
    async verify(state, _ctx, run) {
      await Promise.all(state.pollers);
      const seen = state.samples.filter((x) => x !== null);
      const missed = state.samples.length - seen.length;
      const lag = summarize(seen);
      return {
        checks: [
          noUnexpected(run, [201, 409]),
          { name: `every sampled reservation reached the view within ${state.timeoutMs / 1000} s`, ok: missed === 0 && seen.length > 0, detail: `${seen.length} seen, ${missed} missed` },
        ],
        extra: { viewLagMs: { ...lag, pollIntervalMs: state.pollMs } },
      };
    },
    targets: (run, extra) => [
      target('confirmed/s', '≥ 300', round(countOf(run, 201) / run.exactSeconds, 1), countOf(run, 201) / run.exactSeconds >= 300),
      target('view lag p50 ms', 'report', extra?.viewLagMs?.p50 ?? null, null),
      target('view lag p99 ms', 'report', extra?.viewLagMs?.p99 ?? null, null),
    ],
  },
  {
    name: 'sidecar-overhead',
    title: 'GET /healthz of one app, directly and through two sidecars, in the same run',
    defaults: { connections: 10, rate: 1000, duration: 20 },
    events: false,
    async prepare(ctx) {
      const targetApp = ctx.apps.find((a) => a.appID === ctx.options.targetApp);
      const gateway = ctx.apps.find((a) => a.appID === ctx.options.viaApp);
      if (!targetApp || !gateway) throw new Error(`dapr.yaml has no app "${ctx.options.targetApp}" or "${ctx.options.viaApp}"`);
      // The gateway's sidecar answers only with the gateway's own API token (the sealed inside).
      const headers = { 'dapr-api-token': tokensFor(gateway.appID).daprApiToken };
      const direct = `http://127.0.0.1:${targetApp.appPort}/healthz`;
      const via = `http://127.0.0.1:${gateway.daprHTTPPort}/v1.0/invoke/${targetApp.appID}/method/healthz`;
      for (const url of [direct, via]) {
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
        if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
      }
      return { direct, via, directPort: targetApp.appPort, headers, targetApp: targetApp.appID, viaApp: gateway.appID };
    },
    load(state) {
      return {
        url: [state.direct, state.via],
        headers: state.headers,
        seriesOf: (client) => (Number(client.opts.port) === state.directPort ? 'direct' : 'two_sidecars'),
      };
    },
    primary: { label: 'calls/s (both hops)', status: 200 },
    async verify(state, _ctx, run) {
      const d = run.series.direct?.latencyMs ?? {};
      const v = run.series.two_sidecars?.latencyMs ?? {};
      const hop = (p) => (d[p] === null || v[p] === null || d[p] === undefined || v[p] === undefined ? null : round((v[p] - d[p]) / 2, 3));
      const rows = ['p50', 'p90', 'p99'].map((p) => ({
        percentile: p,
        directMs: d[p] ?? null,
        twoSidecarsMs: v[p] ?? null,
        addedTwoSidecarsMs: hop(p) === null ? null : round(hop(p) * 2, 3),
        addedPerHopMs: hop(p),
        publishedTwoSidecarsMs: PUBLISHED_TWO_SIDECARS_MS[p] ?? null,
      }));
      return {
        checks: [noUnexpected(run, [200])],
        extra: { sidecarOverhead: { route: `GET /healthz of ${state.targetApp}`, via: `${state.viaApp}'s sidecar → ${state.targetApp}'s sidecar`, rows } },
      };
    },
    targets: (_run, extra) =>
      (extra?.sidecarOverhead?.rows ?? [])
        .filter((r) => r.publishedTwoSidecarsMs !== null)
        .map((r) => target(`two sidecars add, ${r.percentile} ms`, `Dapr: ~${r.publishedTwoSidecarsMs}`, r.addedTwoSidecarsMs, r.addedTwoSidecarsMs !== null && r.addedTwoSidecarsMs <= r.publishedTwoSidecarsMs)),
  },
];

export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name);
