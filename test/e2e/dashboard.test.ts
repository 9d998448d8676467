import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { GATEWAY_URL, newUsers, stay, unique, uniqueUsername, type User } from '../support/api';
import { publishData } from '../support/events';

// The dashboard in headless Debian Chromium (playwright-core, no browser download), against the
// real running system.
jest.setTimeout(120_000);
const OUTPUT = path.resolve(__dirname, '..', '..', 'test-output');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The full user flow needs the catalog (room, rentcar) and saga (reservation, payment) services.
 * Probed synchronously at load (the system is already up): a 404 for their write routes means
 * they are not built in this branch yet, and only then is that test skipped.
 */
function writeRoutesAnswer(): boolean {
  const script = `
    const base = ${JSON.stringify(GATEWAY_URL)};
    Promise.all(['/rooms', '/rentcars', '/reservations'].map((p) =>
      fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status)))
      .then((s) => process.stdout.write(JSON.stringify(s)), () => process.stdout.write('[]'));`;
  const statuses = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 })) as number[];
  return statuses.length === 3 && statuses.every((s) => s !== 404);
}
const FULL_FLOW = writeRoutesAnswer();
const itFullFlow = FULL_FLOW ? it : it.skip;

let context: BrowserContext;
let page: Page;
let userDataDir: string;
const pageErrors: string[] = [];
/** Real users: the host the published events name, and the guest they are addressed to. */
let host: User;
let guest: User;

beforeAll(async () => {
  [host, guest] = await newUsers(2, 'dash');
  fs.mkdirSync(OUTPUT, { recursive: true });
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  // The page's own script never threw during the whole suite.
  expect(pageErrors).toEqual([]);
  await context?.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
});

const row = (reservationId: string) => page.locator(`tr[data-reservation-id="${reservationId}"]`);

/** Signs in through the page's own form (signing out whoever is signed in first). */
async function signInOnPage(p: Page, user: { username: string; password: string }): Promise<void> {
  if (await p.locator('#session').isVisible()) await p.click('#signout');
  await p.fill('#signin-form [name="username"]', user.username);
  await p.fill('#signin-form [name="password"]', user.password);
  await p.click('#signin-form button[data-action="signin"]');
  await p.locator('#session-user').filter({ hasText: user.username }).waitFor();
}

async function expectRow(reservationId: string, expected: { status: string; paymentStatus: string; carStatus: string }) {
  for (const [field, value] of Object.entries(expected)) {
    await row(reservationId).locator(`[data-field="${field}"]`).filter({ hasText: value }).waitFor();
  }
}

describe('the dashboard (headless Chromium)', () => {
  it('when events change a reservation, then the open page shows each status without a reload to the signed-in host, and the messages to the signed-in guest', async () => {
    const city = unique('DashCity');
    const roomId = unique('droom');
    const reservationId = unique('dres');
    const guestId = guest.userId;
    const carId = unique('dcar');
    const { checkIn, checkOut } = stay(40, 3);
    const now = () => new Date().toISOString();
    await page.goto(`${GATEWAY_URL}/`);
    await signInOnPage(page, host);
    await page.fill('#city-filter', city);
    await page.dispatchEvent('#city-filter', 'change');

    await publishData('RoomRegistered', {
      roomId,
      hostId: host.userId,
      name: `Dash ${roomId}`,
      city,
      pricePerNight: 90000,
      currency: 'KRW',
      description: '',
      capacity: 2,
      createdAt: now(),
      updatedAt: now(),
      version: 1,
    });
    const card = page.locator(`article[data-room-id="${roomId}"]`);
    await card.waitFor();
    await card.getByText('90,000 KRW').waitFor();

    const reservation = (status: string, version: number) => ({
      reservationId,
      id: reservationId,
      guestId,
      roomId,
      carId,
      checkIn,
      checkOut,
      nights: 3,
      amount: 270000,
      currency: 'KRW',
      status,
      roomName: `Dash ${roomId}`,
      city,
      createdAt: now(),
      version,
      occurredAt: now(),
    });
    await publishData('ReservationConfirmed', reservation('confirmed', 1));
    await publishData('PaymentApproved', {
      id: `p-${reservationId}`,
      reservationId,
      guestId,
      amount: 270000,
      currency: 'KRW',
      status: 'approved',
      version: 1,
      occurredAt: now(),
    });
    await publishData('RentcarReserved', { carId, reservationId, guestId, checkIn, checkOut, version: 2, occurredAt: now() });
    await expectRow(reservationId, { status: 'confirmed', paymentStatus: 'approved', carStatus: 'reserved' });
    await card.locator('[data-field="active"]').filter({ hasText: '1 active' }).waitFor();

    await publishData('ReviewCreated', {
      reviewId: unique('rev'),
      roomId,
      guestId,
      rating: 4,
      comment: '',
      createdAt: now(),
      reviewCount: 1,
      averageRating: 4,
      version: 1,
    });
    await card.locator('[data-field="reviews"]').filter({ hasText: '4.0 (1 review)' }).waitFor();

    await publishData('ReservationCancelled', reservation('cancelled', 2));
    await publishData('PaymentRefunded', {
      id: `p-${reservationId}`,
      reservationId,
      guestId,
      amount: 270000,
      currency: 'KRW',
      status: 'refunded',
      version: 2,
      occurredAt: now(),
    });
    await publishData('RentcarReleased', { carId, reservationId, guestId, checkIn, checkOut, version: 3, occurredAt: now() });
    await expectRow(reservationId, { status: 'cancelled', paymentStatus: 'refunded', carStatus: 'released' });
    await card.locator('[data-field="active"]').filter({ hasText: '0 active' }).waitFor();

    // A reservation's messages are its guest's to read.
    await signInOnPage(page, guest);
    for (let i = 0; (await page.locator('#messages li').count()) < 6; i++) {
      if (i > 50) throw new Error('the six messages did not show');
      await page.click('#messages-form button[type="submit"]');
      await page.waitForTimeout(300);
    }
    expect(await page.locator('#messages li').count()).toBe(6);
    expect(await page.locator('#messages').innerText()).toContain('Seoul');
    await page.screenshot({ path: path.join(OUTPUT, 'dashboard-events.png'), fullPage: true });
  });

  itFullFlow(
    'when a host signs up and registers a room and a car, and a guest signs up, reserves them and cancels, then each sees their side without a reload',
    async () => {
      const city = unique('FlowCity');
      const name = `Flow room ${unique('n')}`;
      const model = `Flow car ${unique('m')}`;
      const { checkIn, checkOut } = stay(60, 2);
      await page.goto(`${GATEWAY_URL}/`);
      /** Signs a new user up through the page (which signs them in); answers their credentials. */
      const signUpOnPage = async (prefix: string) => {
        if (await page.locator('#session').isVisible()) await page.click('#signout');
        const person = { username: uniqueUsername(prefix), password: `pw-${randomBytes(12).toString('hex')}` };
        await page.fill('#signin-form [name="username"]', person.username);
        await page.fill('#signin-form [name="password"]', person.password);
        await page.click('#signin-form button[data-action="signup"]');
        await page.locator('#session-user').filter({ hasText: person.username }).waitFor();
        expect((await page.locator('#session-id').innerText()).replace(/[()]/g, '')).toMatch(/^usr_/);
        return person;
      };

      // The host: registers a room and a car; the room shows in "My rooms" from the view.
      const pageHost = await signUpOnPage('dash-host');
      await page.fill('#city-filter', city);
      await page.dispatchEvent('#city-filter', 'change');
      await page.fill('#room-form [name="name"]', name);
      await page.fill('#room-form [name="city"]', city);
      await page.fill('#room-form [name="pricePerNight"]', '80000');
      await page.click('#room-form button[type="submit"]');
      await page.locator('#status').filter({ hasText: 'registered' }).waitFor();
      await page.fill('#car-form [name="model"]', model);
      await page.fill('#car-form [name="city"]', city);
      await page.click('#car-form button[type="submit"]');
      await page.locator('#status').filter({ hasText: model }).waitFor();
      const card = page.locator('article.room', { hasText: name });
      await card.waitFor();
      const roomId = (await card.getAttribute('data-room-id'))!;

      // The guest: reserves the host's room (from the public catalogue) with the car.
      await signUpOnPage('dash-guest');
      await page.fill('#city-filter', city);
      await page.dispatchEvent('#city-filter', 'change');
      await page.locator(`#reserve-form [name="roomId"] option[value="${roomId}"]`).waitFor({ state: 'attached' });
      await page.selectOption('#reserve-form [name="roomId"]', roomId);
      await page.dispatchEvent('#reserve-form [name="roomId"]', 'change');
      // The car list follows the picked room's city.
      await page.locator(`#reserve-form [name="carId"] option`, { hasText: model }).waitFor({ state: 'attached' });
      const carValue = await page.locator(`#reserve-form [name="carId"] option`, { hasText: model }).getAttribute('value');
      await page.selectOption('#reserve-form [name="carId"]', carValue);
      await page.fill('#reserve-form [name="checkIn"]', checkIn);
      await page.fill('#reserve-form [name="checkOut"]', checkOut);
      await page.click('#reserve-form button[type="submit"]');
      await page.locator('#status').filter({ hasText: 'confirmed' }).waitFor();
      const reservationId = await page.inputValue('#cancel-form [name="reservationId"]');
      expect(reservationId).not.toBe('');
      const mine = page.locator(`tr[data-my-reservation-id="${reservationId}"]`);
      await mine.locator('[data-field="status"]').filter({ hasText: 'confirmed' }).waitFor();
      // A guest does not see the host's rooms.
      expect(await page.locator(`article[data-room-id="${roomId}"]`).count()).toBe(0);
      await page.screenshot({ path: path.join(OUTPUT, 'dashboard-guest.png'), fullPage: true });

      // Cancel asks first: what the cancel refunds now (flexible, two months ahead: all of it), then confirm.
      // "Keep it" cancels nothing.
      const confirmBox = page.locator('#cancel-confirm');
      await mine.locator('button[data-action="cancel"]').click();
      await confirmBox.waitFor();
      await confirmBox.locator('button[data-action="keep"]').click();
      await page.locator('#status').filter({ hasText: 'Nothing was cancelled.' }).waitFor();
      expect(await confirmBox.isVisible()).toBe(false);
      await mine.locator('button[data-action="cancel"]').click();
      await confirmBox.waitFor();
      const asked = await confirmBox.innerText();
      expect(asked).toContain('Cancelling now refunds all of it: 260,000 KRW (flexible policy).');
      expect(asked).toMatch(/From .* \(Asia\/Seoul\) on, a cancel refunds 130,000 KRW\./);
      await page.screenshot({ path: path.join(OUTPUT, 'dashboard-cancel-confirm.png'), fullPage: true });
      await confirmBox.locator('button[data-action="confirm-cancel"]').click();
      await mine.locator('[data-field="status"]').filter({ hasText: 'cancelled' }).waitFor();
      await mine.locator('[data-field="refund"]').filter({ hasText: 'refund 260,000 KRW' }).waitFor();
      expect(await confirmBox.isVisible()).toBe(false);
      for (let i = 0; (await page.locator('#messages li').count()) < 6; i++) {
        if (i > 50) throw new Error('the guest’s six messages did not show');
        await page.click('#messages-form button[type="submit"]');
        await page.waitForTimeout(300);
      }

      // The host again: the room's row follows the guest's reservation to cancelled, refunded, released.
      await signInOnPage(page, pageHost);
      await expectRow(reservationId, { status: 'cancelled', paymentStatus: 'refunded', carStatus: 'released' });
      await page.screenshot({ path: path.join(OUTPUT, 'dashboard.png'), fullPage: true });
    },
  );

  itFullFlow(
    'when a guest searches a city for dates and guests, then the free rooms show with the total price, and Reserve books one',
    async () => {
      const city = unique('DashSearch');
      const make = async (name: string, pricePerNight: number) =>
        (await host.api('POST', '/rooms', { name, city, pricePerNight, capacity: 2 })).body.id as string;
      const taken = await make('Taken room', 60_000);
      const free = await make('Free room', 80_000);
      const dates = stay(80, 2);
      expect((await guest.api('POST', '/reservations', { roomId: taken, ...dates })).status).toBe(201);
      await page.goto(`${GATEWAY_URL}/`);
      await signInOnPage(page, guest);
      await page.fill('#search-form [name="city"]', city);
      await page.fill('#search-form [name="checkIn"]', dates.checkIn);
      await page.fill('#search-form [name="checkOut"]', dates.checkOut);
      await page.fill('#search-form [name="guests"]', '2');
      // The view takes a moment to hear of the reservation: search until only the free room is shown.
      for (let i = 0; ; i++) {
        await page.click('#search-form button[type="submit"]');
        await page.waitForTimeout(300);
        const shown = await page.locator('#search-results li').evaluateAll((items) => items.map((li) => li.getAttribute('data-room')));
        if (shown.length === 1 && shown[0] === free) break;
        if (i > 50) throw new Error(`the search showed ${JSON.stringify(shown)}, not only the free room`);
      }
      const hit = page.locator(`#search-results li[data-room="${free}"]`);
      await hit.locator('[data-field="totalPrice"]').filter({ hasText: '160,000 KRW for 2 nights' }).waitFor();
      await hit.getByRole('button', { name: 'Reserve' }).click();
      await page.locator('#status').filter({ hasText: 'Reserved Free room' }).waitFor();
      expect(
        (await guest.api('GET', `/rooms/${free}/availability?checkIn=${dates.checkIn}&checkOut=${dates.checkOut}`)).body.available,
      ).toBe(false);
    },
  );

  it('when the page is phone-width, then it still fits without horizontal scrolling', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${GATEWAY_URL}/`);
    // A new tab has its own session: sign in as the host whose room the first test showed.
    await signInOnPage(phone, host);
    await phone.locator('article.room').first().waitFor();
    const overflow = await phone.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: path.join(OUTPUT, 'dashboard-phone.png') });
    await phone.locator('#reserve-form').scrollIntoViewIfNeeded();
    await phone.screenshot({ path: path.join(OUTPUT, 'dashboard-phone-forms.png') });
    await phone.close();
  });
});
