// staycar dashboard: plain JS, no build step. Reads only the public API through the gateway.
// Live: polls GET /roomviews every 2 s and re-reads a room's reservations when its updatedAt moves.
'use strict';

const POLL_MS = 2000;
const $ = (selector) => document.querySelector(selector);
const details = new Map(); // roomId -> { updatedAt, reservations }
let rooms = []; // the signed-in host's rooms (GET /roomviews)
let catalogue = []; // every host's rooms in the filter's city (GET /rooms, public)
let myReservations = []; // the signed-in guest's (GET /reservations)
let cars = [];

/** Creates an element; children are strings (as text, never HTML) or nodes. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// ---- session: a bearer token from POST /auth/token, kept in this page's memory only ---------
// Not in localStorage or sessionStorage, where any script on the origin could read it; a reload
// signs out.

let session = null;

/** The token's claims, for display and for the ids the forms send (the gateway verifies the token, not us). */
function claimsOf(token) {
  const part = token.split('.')[1] || '';
  return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
}

function setSession(next) {
  session = next;
  // Nothing of one person stays on the page for the next.
  $('#messages').replaceChildren();
  $('#signin-form').hidden = Boolean(next);
  $('#session').hidden = !next;
  $('#session-user').textContent = next ? next.username : '';
  $('#session-id').textContent = next ? `(${next.userId})` : '';
}

async function signIn(username, password) {
  const answer = await call('POST', '/auth/token', { username, password });
  const claims = claimsOf(answer.accessToken);
  setSession({ accessToken: answer.accessToken, username, userId: claims.sub, expiresAt: Date.now() + answer.expiresIn * 1000 });
}

async function call(method, path, body, headers = {}) {
  const auth = session ? { authorization: `Bearer ${session.accessToken}` } : {};
  const res = await fetch(path, {
    method,
    headers: body === undefined ? { ...auth, ...headers } : { 'content-type': 'application/json', ...auth, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && session) setSession(null);
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const error = data && data.error ? data.error : { code: String(res.status), message: res.statusText, details: [] };
    const fields = (error.details || []).map((d) => `${d.field} ${d.reason}`).join('; ');
    throw new Error(`${error.code}: ${error.message}${fields ? ` (${fields})` : ''}`);
  }
  return data;
}

function say(text, kind = 'ok') {
  const status = $('#status');
  status.textContent = text;
  status.className = `status ${kind}`;
}

const money = (n, currency = 'KRW') => `${Number(n).toLocaleString('en-US')} ${currency}`;
const pill = (value, kind) => h('span', { class: `pill ${value || 'pending'}`, 'data-field': kind }, value || 'pending');
const shortId = (id) => (id.length > 12 ? `${id.slice(0, 10)}…` : id);
const stayText = (from, to) => (from && to ? `${from} → ${to.slice(0, 4) === from.slice(0, 4) ? to.slice(5) : to}` : '?');
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

// ---- rendering -----------------------------------------------------------------------------

function reservationRows(room) {
  const detail = details.get(room.roomId);
  const list = detail ? detail.reservations : room.latestReservation ? [room.latestReservation] : [];
  if (list.length === 0) return h('p', { class: 'empty' }, 'No reservations.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, 'Reservation'), h('th', {}, 'Dates'), h('th', {}, 'Status'), h('th', {}, 'Payment'), h('th', {}, 'Car')),
      ),
      h(
        'tbody',
        {},
        list.map((r) =>
          h(
            'tr',
            { 'data-reservation-id': r.reservationId },
            h('td', { class: 'id', title: r.reservationId }, shortId(r.reservationId), h('div', { class: 'ids' }, r.guestId || '')),
            h('td', { class: 'dates' }, stayText(r.checkIn, r.checkOut)),
            h('td', { 'data-label': 'Status' }, pill(r.status, 'status')),
            h('td', { 'data-label': 'Payment' }, pill(r.paymentStatus, 'paymentStatus')),
            h('td', { 'data-label': 'Car' }, r.carId ? pill(r.carStatus, 'carStatus') : '—'),
          ),
        ),
      ),
    ),
  );
}

function renderRooms() {
  const container = $('#rooms');
  container.replaceChildren(
    ...rooms.map((room) =>
      h(
        'article',
        { class: 'room', 'data-room-id': room.roomId },
        h('h3', {}, room.name),
        h(
          'div',
          { class: 'meta' },
          h('span', {}, room.city),
          h('span', {}, h('b', {}, money(room.pricePerNight)), ' / night'),
          h(
            'span',
            { 'data-field': 'reviews' },
            `★ ${room.averageRating === null ? '–' : Number(room.averageRating).toFixed(1)} (${room.reviewCount} review${room.reviewCount === 1 ? '' : 's'})`,
          ),
          h('span', { 'data-field': 'active' }, h('b', {}, room.activeReservations), ' active'),
        ),
        h('div', { class: 'ids' }, `room ${room.roomId} · host ${room.hostId}`),
        reservationRows(room),
      ),
    ),
  );
  $('#rooms-empty').hidden = rooms.length > 0;
}

function renderCatalogue() {
  fillSelect(
    $('#reserve-form [name="roomId"]'),
    catalogue.map((r) => [r.id, `${r.name} (${r.city}) ${money(r.pricePerNight, r.currency)}/night`]),
  );
}

/** The guest's own reservations (GET /reservations), with cancel for confirmed ones. */
function renderMyReservations() {
  const container = $('#my-reservations');
  container.replaceChildren(
    ...(myReservations.length === 0
      ? []
      : [
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', {}, 'Reservation'),
                  h('th', {}, 'Dates'),
                  h('th', {}, 'Amount'),
                  h('th', {}, 'Status'),
                  h('th', {}, ''),
                ),
              ),
              h(
                'tbody',
                {},
                myReservations.map((r) =>
                  h(
                    'tr',
                    { 'data-my-reservation-id': r.id },
                    h(
                      'td',
                      { class: 'id', title: r.id },
                      shortId(r.id),
                      h('div', { class: 'ids' }, `room ${r.roomId}${r.carId ? ` · car ${r.carId}` : ''}`),
                    ),
                    h('td', { class: 'dates' }, stayText(r.checkIn, r.checkOut)),
                    h(
                      'td',
                      {},
                      money(r.amount, r.currency),
                      r.refundAmount === undefined
                        ? ''
                        : h('div', { class: 'ids', 'data-field': 'refund' }, `refund ${money(r.refundAmount, r.currency)}`),
                    ),
                    h('td', { 'data-label': 'Status' }, pill(r.status, 'status')),
                    h(
                      'td',
                      {},
                      r.status === 'confirmed'
                        ? h('button', { class: 'small', type: 'button', 'data-action': 'cancel', onclick: () => cancel(r.id) }, 'Cancel')
                        : '',
                    ),
                  ),
                ),
              ),
            ),
          ),
        ]),
  );
  $('#my-reservations-empty').hidden = myReservations.length > 0;
  fillSelect(
    $('#review-form [name="reservationId"]'),
    // Stays that ended (completed) are the ones most worth a review.
    myReservations
      .filter((r) => r.status === 'confirmed' || r.status === 'completed')
      .map((r) => [r.id, `${shortId(r.id)} · ${stayText(r.checkIn, r.checkOut)}`]),
  );
}

function fillSelect(select, options, keepFirst = false) {
  const current = select.value;
  const fixed = keepFirst ? [select.options[0]] : [];
  select.replaceChildren(...fixed, ...options.map(([value, label]) => h('option', { value }, label)));
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}

function renderCars() {
  fillSelect(
    $('#reserve-form [name="carId"]'),
    cars.map((c) => [c.id, `${c.model} (${c.city}) ${money(c.pricePerDay)}/day`]),
    true,
  );
}

// ---- polling -------------------------------------------------------------------------------

async function refreshRooms() {
  const city = $('#city-filter').value.trim();
  const page = await call('GET', `/roomviews?limit=100${city ? `&city=${encodeURIComponent(city)}` : ''}`);
  rooms = page.items;
  // Re-read a room's full reservation list only when the room changed since the last read.
  await Promise.all(
    rooms.map(async (room) => {
      const known = details.get(room.roomId);
      if (known && known.updatedAt === room.updatedAt) return;
      try {
        const full = await call('GET', `/roomviews/${encodeURIComponent(room.roomId)}`);
        details.set(room.roomId, { updatedAt: room.updatedAt, reservations: full.reservations });
      } catch {
        /* deleted meanwhile: the next poll drops it */
      }
    }),
  );
  renderRooms();
}

async function refreshCatalogue() {
  const city = $('#city-filter').value.trim();
  const page = await call('GET', `/rooms?limit=100${city ? `&city=${encodeURIComponent(city)}` : ''}`);
  catalogue = page.items;
  renderCatalogue();
}

async function refreshMyReservations() {
  const page = await call('GET', '/reservations?limit=100');
  myReservations = page.items;
  renderMyReservations();
}

/** Cars in the city of the room picked in the reserve form (a car is rented where one stays). */
async function refreshCars() {
  const roomId = $('#reserve-form [name="roomId"]').value;
  const room = catalogue.find((r) => r.id === roomId);
  if (!room) {
    cars = [];
    renderCars();
    return;
  }
  const found = [];
  let cursor = null;
  do {
    const page = await call(
      'GET',
      `/rentcars?city=${encodeURIComponent(room.city)}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    found.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && found.length < 500);
  cars = found;
  renderCars();
}

async function poll() {
  if (!session) {
    say('Sign in (or sign up) to register rooms and cars, reserve, and see your rooms.');
    $('#status').dataset.source = 'poll';
    setTimeout(poll, POLL_MS);
    return;
  }
  try {
    await Promise.all([refreshRooms(), refreshCatalogue(), refreshMyReservations()]);
    if ($('#status').classList.contains('error') && $('#status').dataset.source === 'poll') say('Connected again.');
  } catch (error) {
    say(`Cannot read the view: ${error.message}`, 'error');
    $('#status').dataset.source = 'poll';
  }
  setTimeout(poll, POLL_MS);
}

// ---- actions -------------------------------------------------------------------------------

function formJson(form) {
  return Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => v !== ''));
}

function onSubmit(id, action) {
  const form = document.getElementById(id);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      say(await action(formJson(form), form));
      $('#status').dataset.source = 'action';
    } catch (error) {
      say(error.message, 'error');
      $('#status').dataset.source = 'action';
    } finally {
      button.disabled = false;
    }
  });
}

// ---- cancel: what it refunds first (GET /reservations/{id}/cancellation), then confirm -------

const POLICY_NAMES = { flexible: 'flexible', moderate: 'moderate', strict: 'strict', non_refundable: 'non-refundable' };
const when = (iso, timeZone) => `${new Date(iso).toLocaleString('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' })} (${timeZone})`;

/** The sentence the guest confirms: what a cancel now refunds, by which policy, and when that changes. */
function refundText(quote) {
  const policy = `${POLICY_NAMES[quote.cancellationPolicy] || quote.cancellationPolicy} policy`;
  const refund =
    quote.refundAmount === 0
      ? 'Cancelling now refunds nothing'
      : quote.refundAmount >= quote.amount
        ? `Cancelling now refunds all of it: ${money(quote.refundAmount, quote.currency)}`
        : `Cancelling now refunds ${money(quote.refundAmount, quote.currency)} of ${money(quote.amount, quote.currency)}`;
  // The schedule's stretch that applies now, and what follows it (`until` null: the last one).
  const at = quote.schedule.findIndex((step) => step.until === null || Date.parse(step.until) > Date.now());
  const current = quote.schedule[at];
  const next = quote.schedule[at + 1];
  const change =
    current && current.until && next
      ? ` From ${when(current.until, quote.timeZone)} on, a cancel refunds ${next.refundAmount === 0 ? 'nothing' : money(next.refundAmount, quote.currency)}.`
      : '';
  return `${refund} (${policy}).${change}`;
}

let pendingCancel = null; // the reservation id the confirm box is about

function closeCancel() {
  pendingCancel = null;
  $('#cancel-confirm').hidden = true;
}

/** Step 1: read what a cancel refunds now and ask the guest to confirm. */
async function askCancel(reservationId) {
  const quote = await call('GET', `/reservations/${encodeURIComponent(reservationId)}/cancellation`);
  if (quote.status !== 'confirmed') {
    closeCancel();
    return `Reservation ${quote.reservationId} is ${quote.status}${quote.status === 'cancelled' ? `; its refund: ${money(quote.refundAmount, quote.currency)}` : ''}.`;
  }
  pendingCancel = quote.reservationId;
  const box = $('#cancel-confirm');
  box.dataset.reservationId = quote.reservationId;
  box.dataset.refundAmount = String(quote.refundAmount);
  $('#cancel-confirm-text').textContent = `Cancel reservation ${shortId(quote.reservationId)}? ${refundText(quote)}`;
  box.hidden = false;
  box.scrollIntoView({ block: 'nearest' });
  return 'Confirm the cancel below to go on.';
}

/** Step 2: the guest confirmed; the refund in the answer is the one decided now. */
async function confirmCancel() {
  const reservationId = pendingCancel;
  if (!reservationId) return;
  closeCancel();
  try {
    const r = await call('POST', `/reservations/${encodeURIComponent(reservationId)}/cancel`);
    const refund = r.refundAmount === undefined ? '' : ` Refund: ${money(r.refundAmount, r.currency)}.`;
    say(`Reservation ${r.id} is ${r.status}.${refund} The payment and car release follow in a moment.`);
    void refreshMyReservations().catch(() => undefined);
  } catch (error) {
    say(error.message, 'error');
  }
}

async function cancel(reservationId) {
  try {
    say(await askCancel(reservationId));
  } catch (error) {
    say(error.message, 'error');
  }
}

$('#cancel-confirm [data-action="confirm-cancel"]').addEventListener('click', () => void confirmCancel());
$('#cancel-confirm [data-action="keep"]').addEventListener('click', () => {
  closeCancel();
  say('Nothing was cancelled.');
});

onSubmit('room-form', async (body) => {
  const room = await call('POST', '/rooms', { ...body, pricePerNight: Number(body.pricePerNight) });
  return `Room "${room.name}" registered (${room.id}); it shows in the view in a moment.`;
});

onSubmit('car-form', async (body) => {
  const car = await call('POST', '/rentcars', { ...body, pricePerDay: Number(body.pricePerDay) });
  setTimeout(() => void refreshCars().catch(() => undefined), 1500);
  setTimeout(() => void refreshCars().catch(() => undefined), 4000);
  return `Car "${car.model}" registered (${car.id}).`;
});

onSubmit('reserve-form', async (body) => {
  const request = { roomId: body.roomId, checkIn: body.checkIn, checkOut: body.checkOut };
  if (body.carId) request.carId = body.carId;
  const r = await call('POST', '/reservations', request, { 'idempotency-key': crypto.randomUUID() });
  $('#cancel-form [name="reservationId"]').value = r.id;
  void refreshMyReservations().catch(() => undefined);
  return `Reservation ${r.id} ${r.status}: ${r.nights} night(s), ${money(r.amount, r.currency)}.`;
});

onSubmit('cancel-form', (body) => askCancel(body.reservationId));

onSubmit('review-form', async (body) => {
  const reservation = myReservations.find((r) => r.id === body.reservationId);
  if (!reservation) throw new Error('Pick one of your confirmed stays.');
  const review = { reservationId: reservation.id, rating: Number(body.rating), ...(body.comment ? { comment: body.comment } : {}) };
  const created = await call('POST', `/rooms/${encodeURIComponent(reservation.roomId)}/reviews`, review);
  return `Review ${created.id} posted (${created.rating}★).`;
});

onSubmit('messages-form', async () => {
  const page = await call('GET', '/messages?limit=100');
  $('#messages').replaceChildren(
    ...page.items
      .slice()
      .reverse()
      .map((m) => h('li', { 'data-type': m.type }, m.text, h('span', {}, `${m.type} · ${new Date(m.createdAt).toLocaleString()}`))),
  );
  return `${page.items.length} message(s) for you.`;
});

$('#signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const { username, password } = formJson(event.target);
  try {
    await signIn(username, password);
    say(`Signed in as ${username}.`);
    void Promise.all([refreshRooms(), refreshCatalogue(), refreshMyReservations()])
      .then(refreshCars)
      .catch(() => undefined);
  } catch (error) {
    say(error.message, 'error');
  }
});

$('#signin-form [data-action="signup"]').addEventListener('click', async () => {
  const form = $('#signin-form');
  if (!form.reportValidity()) return;
  const { username, password } = formJson(form);
  try {
    await call('POST', '/auth/signup', { username, password });
    await signIn(username, password);
    say(`Welcome, ${username}: signed up and signed in.`);
  } catch (error) {
    say(error.message, 'error');
  }
});

$('#signout').addEventListener('click', () => {
  setSession(null);
  closeCancel();
  rooms = [];
  myReservations = [];
  details.clear();
  renderRooms();
  renderMyReservations();
});

setSession(session);
$('#city-filter').addEventListener(
  'change',
  () =>
    void Promise.all([refreshRooms(), refreshCatalogue()])
      .then(refreshCars)
      .catch(() => undefined),
);
$('#reserve-form [name="roomId"]').addEventListener('change', () => void refreshCars().catch(() => undefined));
$('#reserve-form [name="checkIn"]').value = day(30);
$('#reserve-form [name="checkOut"]').value = day(32);

setInterval(() => void (session ? refreshCars() : Promise.resolve()).catch(() => undefined), 5000);
void poll()
  .then(() => (session ? refreshCars() : undefined))
  .catch(() => undefined);
