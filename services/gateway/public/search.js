// staycar dashboard: search of free rooms (GET /search/rooms, public) with the stay's total price,
// and a Reserve button per room for the signed-in guest. Uses app.js's helpers (h, call, say, money, day).
'use strict';

const searchForm = document.getElementById('search-form');
let searchNext = null; // the next page's query, or null

function searchRow(room, stay) {
  const rating = room.averageRating === null ? 'no reviews yet' : `★ ${room.averageRating.toFixed(1)} (${room.reviewCount})`;
  return h(
    'li',
    { 'data-room': room.id },
    h(
      'div',
      {},
      h('b', {}, room.name),
      h('div', { class: 'meta' }, room.city, `${money(room.pricePerNight, room.currency)}/night`, `up to ${room.capacity} guests`, rating),
    ),
    h('span', { class: 'total', 'data-field': 'totalPrice' }, `${money(room.totalPrice, room.currency)} for ${room.nights} night${room.nights === 1 ? '' : 's'}`),
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: async (event) => {
          if (!session) return say('Sign in to reserve.', 'error');
          event.target.disabled = true;
          try {
            const r = await call('POST', '/reservations', { roomId: room.id, checkIn: stay.checkIn, checkOut: stay.checkOut });
            say(`Reserved ${room.name}, ${stayText(r.checkIn, r.checkOut)}: ${money(r.amount, r.currency)} (${r.id}).`);
            event.target.closest('li').remove();
            void refreshMyReservations().catch(() => undefined);
          } catch (error) {
            say(error.message, 'error');
            event.target.disabled = false;
          }
        },
      },
      'Reserve',
    ),
  );
}

async function searchPage(query, append) {
  const page = await call('GET', `/search/rooms?${new URLSearchParams(query)}`);
  const list = $('#search-results');
  const rows = page.items.map((room) => searchRow(room, query));
  if (append) list.append(...rows);
  else list.replaceChildren(...rows);
  $('#search-empty').hidden = list.children.length > 0;
  searchNext = page.nextCursor ? { ...query, cursor: page.nextCursor } : null;
  $('#search-more').hidden = !searchNext;
  return list.children.length;
}

searchForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = searchForm.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const query = { ...formJson(searchForm), limit: '20' };
    const count = await searchPage(query, false);
    say(`${count}${searchNext ? '+' : ''} free room(s) in ${query.city}, ${stayText(query.checkIn, query.checkOut)}.`);
  } catch (error) {
    say(error.message, 'error');
  } finally {
    button.disabled = false;
  }
});

$('#search-more').addEventListener('click', () => {
  if (searchNext) void searchPage(searchNext, true).catch((error) => say(error.message, 'error'));
});

searchForm.querySelector('[name="checkIn"]').value = day(30);
searchForm.querySelector('[name="checkOut"]').value = day(32);
