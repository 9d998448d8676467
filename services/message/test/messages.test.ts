import pino from 'pino';
import request from 'supertest';
import { messageUseCases } from '../src/app';
import { afterAttempt, firstDelivery } from '../src/domain/delivery';
import { composeMessage, messageId, messageText, type Message, type MessageEventData } from '../src/domain/messages';
import { createApp } from '../src/http/app';
import type { MessageBinding } from '../src/ports';
import { as, asOperator } from '../../common/test/support/identity';
import { MemoryMessageStore } from './support/memoryMessageStore';
import { messageStoreContract } from './support/messageStoreContract';

const logger = pino({ level: 'silent' });
const confirmed: MessageEventData = {
  reservationId: 'r-1',
  guestId: 'guest-1',
  roomId: 'room-1',
  roomName: 'Ocean view',
  city: 'Busan',
  checkIn: '2030-01-02',
  checkOut: '2030-01-04',
  amount: 200000,
  currency: 'KRW',
};

/** The output binding: records what it took; `failing` makes it refuse, `onSend` runs after it took one. */
class RecordingBinding implements MessageBinding {
  readonly sent: Message[] = [];
  failing = false;
  onSend?: () => void;

  async send(message: Message): Promise<void> {
    if (this.failing) throw new Error('binding down');
    this.sent.push(message);
    this.onSend?.();
  }
}

function setup() {
  const store = new MemoryMessageStore();
  const outbox = new RecordingBinding();
  const useCases = messageUseCases({ store, binding: outbox, cityName: 'Seoul', logger, clock: () => new Date() });
  const messages = {
    record: useCases.record,
    list: useCases.list,
    retryUndelivered: () => useCases.retries.retryNow(),
  };
  const app = createApp({
    config: { pubsub: 'pubsub', eventsTopics: ['topic'], deadLetterTopic: 'dead' },
    logger,
    messages,
    sidecarHealthy: async () => true,
    databaseHealthy: () => store.isHealthy(),
  });
  return { store, outbox, messages, app, retries: useCases.retries };
}

const deliver = (app: ReturnType<typeof setup>['app'], type: string, data: unknown, id = `${type}-1`) =>
  request(app).post(`/events/${type}`).set('content-type', 'application/cloudevents+json').send({ id, type, data });

describe('message text (pure)', () => {
  it('when a reservation is confirmed, then the text names the configured city, the room, the dates and the amount', () => {
    const text = messageText('ReservationConfirmed', confirmed, 'Seoul');
    expect(text).toContain('Seoul');
    expect(text).toContain('Ocean view');
    expect(text).toContain('2030-01-02');
    expect(text).toContain('2030-01-04');
    expect(text).toContain('200,000 KRW');
  });

  it('when a payment is refunded, then the text says refunded with the amount', () => {
    const text = messageText('PaymentRefunded', { reservationId: 'r-1', guestId: 'g', amount: 5000 }, 'Busan');
    expect(text).toMatch(/Busan.*5,000 KRW.*refunded/);
  });

  it('when a reservation is cancelled, then the text states what the cancel refunds: in full, a part by its policy, or nothing', () => {
    const cancel = (extra: Partial<MessageEventData>) => messageText('ReservationCancelled', { ...confirmed, ...extra }, 'Seoul');
    expect(cancel({ refundAmount: 200000, cancellationPolicy: 'moderate' })).toMatch(/is cancelled\. Refund: 200,000 KRW \(in full\)\.$/);
    expect(cancel({ refundAmount: 100000, cancellationPolicy: 'moderate' })).toMatch(
      /is cancelled\. Refund: 100,000 KRW of 200,000 KRW \(moderate cancellation policy\)\.$/,
    );
    expect(cancel({ refundAmount: 0, cancellationPolicy: 'non_refundable' })).toMatch(
      /is cancelled\. No refund \(non-refundable cancellation policy\)\.$/,
    );
    // From before cancellation policies: no refundAmount, a full refund.
    expect(cancel({})).toMatch(/is cancelled\. Refund: 200,000 KRW \(in full\)\.$/);
  });

  it('when a payment is refunded in part, then the text says partially refunded and how much came back', () => {
    const data = { reservationId: 'r-1', guestId: 'g', amount: 200000, refundedAmount: 100000 };
    expect(messageText('PaymentRefunded', data, 'Busan')).toBe(
      '[staycar Busan] Your payment 200,000 KRW for reservation r-1 is partially refunded: 100,000 KRW back.',
    );
    expect(messageText('PaymentRefunded', { ...data, refundedAmount: 200000 }, 'Busan')).toMatch(/is refunded in full\.$/);
  });

  it('when the same event is composed twice, then the id is the same (deterministic per reservation and type)', () => {
    const a = composeMessage('PaymentApproved', confirmed, 'Seoul', new Date(1));
    const b = composeMessage('PaymentApproved', confirmed, 'Seoul', new Date(2));
    const other = composeMessage('PaymentRefunded', confirmed, 'Seoul', new Date(2));
    expect(a.id).toBe(b.id);
    expect(a.id).not.toBe(other.id);
    expect(a.recipientId).toBe('guest-1');
  });
});

describe('delivery state machine (pure)', () => {
  const now = new Date('2030-01-01T00:00:00Z');

  it('when a new message is tried, then it is stored sent with deliveredAt, or undelivered when the binding refused', () => {
    expect(firstDelivery('sent', now)).toEqual({ delivery: 'sent', deliveredAt: now.toISOString() });
    expect(firstDelivery('failed', now)).toEqual({ delivery: 'undelivered' });
  });

  it('when an undelivered message is sent, then it is sent; failing again or a sent one changes nothing', () => {
    expect(afterAttempt({ delivery: 'undelivered' }, 'sent', now)).toEqual({ delivery: 'sent', deliveredAt: now.toISOString() });
    expect(afterAttempt({ delivery: 'undelivered' }, 'failed', now)).toBeUndefined();
    expect(afterAttempt({ delivery: 'sent', deliveredAt: 'T' }, 'sent', now)).toBeUndefined();
  });
});

describe('the message store contract, in memory (the same runs on the real databases: test/e2e/message-store.test.ts)', () => {
  let n = 0;
  messageStoreContract(
    async () => new MemoryMessageStore(),
    (prefix) => `${prefix}-${++n}`,
  );
});

describe('recording messages', () => {
  it('when the same event arrives three times, then exactly one message exists and it is delivered once', async () => {
    const { messages, outbox } = setup();
    await messages.record('ReservationConfirmed', confirmed);
    await messages.record('ReservationConfirmed', confirmed);
    await messages.record('ReservationConfirmed', confirmed);
    const page = await messages.list({ reservationId: 'r-1', limit: 50 });
    expect(page.items).toHaveLength(1);
    expect(outbox.sent).toHaveLength(1);
  });

  it('when events of one reservation arrive out of order, then one message per type is listed by reservation and by guest', async () => {
    const { messages } = setup();
    await messages.record('PaymentRefunded', confirmed);
    await messages.record('ReservationCancelled', confirmed);
    await messages.record('ReservationConfirmed', confirmed);
    await messages.record('PaymentApproved', confirmed);
    await messages.record('PaymentRefunded', confirmed);
    const byReservation = await messages.list({ reservationId: 'r-1', limit: 50 });
    expect(byReservation.items.map((m) => m.type).sort()).toEqual(
      ['PaymentApproved', 'PaymentRefunded', 'ReservationCancelled', 'ReservationConfirmed'].sort(),
    );
    const byGuest = await messages.list({ recipientId: 'guest-1', limit: 50 });
    expect(byGuest.items).toHaveLength(4);
  });

  it('when concurrent deliveries race, then there is still exactly one message per type', async () => {
    const { messages, outbox, store } = setup();
    await Promise.all([
      ...Array.from({ length: 5 }, () => messages.record('ReservationConfirmed', confirmed)),
      ...Array.from({ length: 5 }, () => messages.record('PaymentApproved', confirmed)),
    ]);
    expect((await store.ofReservation('r-1')).map((m) => m.type).sort()).toEqual(['PaymentApproved', 'ReservationConfirmed']);
    // At least once towards the binding (racing deliveries each try it); one file per message id.
    expect(new Set(outbox.sent.map((m) => m.id)).size).toBe(2);
  });

  it('when the binding fails, then the message is kept undelivered and a later retry delivers it', async () => {
    const { messages, outbox, store } = setup();
    outbox.failing = true;
    const stored = await messages.record('ReservationConfirmed', confirmed);
    expect(stored.delivery).toBe('undelivered');
    expect((await messages.list({ reservationId: 'r-1', limit: 50 })).items).toHaveLength(1);
    expect(await messages.retryUndelivered()).toBe(1);

    outbox.failing = false;
    expect(await messages.retryUndelivered()).toBe(0);
    expect(outbox.sent.map((m) => m.id)).toEqual([stored.id]);
    expect(store.peek(stored.id)).toMatchObject({ delivery: 'sent', deliveredAt: expect.any(String) });
    expect(await store.undelivered(10)).toEqual([]);
    expect(await messages.retryUndelivered()).toBe(0);
    expect(outbox.sent).toHaveLength(1);
  });

  it('when the binding fails, then the retry sweep the event started delivers it once the binding takes it again (no event needed)', async () => {
    const { messages, outbox, store, retries } = setup();
    outbox.failing = true;
    const stored = await messages.record('PaymentApproved', confirmed);
    outbox.failing = false;
    const stop = retries.start(100);
    try {
      for (let i = 0; i < 50 && store.peek(stored.id)?.delivery !== 'sent'; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      stop();
    }
    expect(store.peek(stored.id)?.delivery).toBe('sent');
    expect(outbox.sent.map((m) => m.id)).toEqual([stored.id]);
  });

  it('when a redelivered event finds an undelivered message, then it delivers it', async () => {
    const { messages, outbox } = setup();
    outbox.failing = true;
    await messages.record('PaymentApproved', confirmed);
    outbox.failing = false;
    const again = await messages.record('PaymentApproved', confirmed);
    expect(again.delivery).toBe('sent');
    // At least once towards the binding; the file is named by the message id, so still one file.
    expect(new Set(outbox.sent.map((m) => m.id)).size).toBe(1);
  });

  it('when the process dies between the binding call and the write, then the redelivered event makes the one message and delivers it', async () => {
    const { messages, outbox, store } = setup();
    // The "crash": the binding took the message, then the database refuses the write (the handler fails,
    // so the event is not acknowledged and comes again).
    outbox.onSend = () => {
      store.failing = true;
    };
    await expect(messages.record('ReservationConfirmed', confirmed)).rejects.toThrow(/database down/);
    expect(outbox.sent).toHaveLength(1);
    outbox.onSend = undefined;
    store.failing = false;
    expect(await store.ofReservation('r-1')).toEqual([]);

    const again = await messages.record('ReservationConfirmed', confirmed);
    expect(again.delivery).toBe('sent');
    expect(await store.ofReservation('r-1')).toHaveLength(1);
    expect(new Set(outbox.sent.map((m) => m.id))).toEqual(new Set([messageId('r-1', 'ReservationConfirmed')]));
  });

  it('when the database is down, then the event fails (to be redelivered) and nothing is stored', async () => {
    const { app, store } = setup();
    store.failing = true;
    const res = await deliver(app, 'PaymentApproved', confirmed);
    expect(res.status).toBeGreaterThanOrEqual(500);
    store.failing = false;
    expect(await store.ofReservation('r-1')).toEqual([]);
  });
});

describe('what a message costs in store operations', () => {
  it('when each event of a reservation with a car arrives once, then each message costs 2 operations (one read, one create-only write) and no state call', async () => {
    const { messages, store, retries } = setup();
    await retries.retryNow(); // the sweep at start finds no backlog
    const costs: Record<string, number> = {};
    for (const [type, data] of [
      ['ReservationConfirmed', confirmed],
      ['PaymentApproved', { reservationId: 'r-1', guestId: 'guest-1', amount: 200000 }],
      ['RentcarReserved', { reservationId: 'r-1', guestId: 'guest-1', carId: 'car-7' }],
      ['ReservationCancelled', confirmed],
      ['PaymentRefunded', { reservationId: 'r-1', guestId: 'guest-1', amount: 200000 }],
      ['RentcarReleased', { reservationId: 'r-1', guestId: 'guest-1', carId: 'car-7' }],
    ] as const) {
      const before = store.operations;
      await messages.record(type, data);
      costs[type] = store.operations - before;
    }
    expect(costs).toEqual({
      ReservationConfirmed: 2,
      PaymentApproved: 2,
      RentcarReserved: 2,
      ReservationCancelled: 2,
      PaymentRefunded: 2,
      RentcarReleased: 2,
    });
    expect(store.calls).toMatchObject({ ofReservation: 6, create: 6, markSent: 0 });
  });

  it('when an event comes again for a message that is sent, then it costs one read and nothing is written or sent', async () => {
    const { messages, store, outbox } = setup();
    await messages.record('PaymentApproved', confirmed);
    const before = { ...store.calls };
    await messages.record('PaymentApproved', confirmed);
    expect([store.calls.ofReservation - before.ofReservation, store.calls.create - before.create, store.calls.markSent]).toEqual([1, 0, 0]);
    expect(outbox.sent).toHaveLength(1);
  });
});

describe('texts name the stay where it is known', () => {
  it('when the reservation event came first, then the payment and car texts name the room and dates too', async () => {
    const { messages } = setup();
    await messages.record('ReservationConfirmed', confirmed);
    const payment = await messages.record('PaymentApproved', { reservationId: 'r-1', guestId: 'guest-1', amount: 200000 });
    expect(payment.text).toContain('Ocean view');
    expect(payment.text).toContain('2030-01-02');
    const car = await messages.record('RentcarReserved', {
      reservationId: 'r-1',
      guestId: 'guest-1',
      carId: 'car-7',
      checkIn: '2030-01-02',
      checkOut: '2030-01-04',
    });
    expect(car.text).toMatch(/Car car-7 is reserved .*Ocean view/);
  });

  it('when the payment event comes first, then its text has what it carries and no invented details', async () => {
    const { messages } = setup();
    const payment = await messages.record('PaymentRefunded', { reservationId: 'r-2', guestId: 'guest-1', amount: 5000 });
    expect(payment.text).toBe('[staycar Seoul] Your payment 5,000 KRW for reservation r-2 is refunded in full.');
  });
});

describe('HTTP: GET /messages and the subscriptions', () => {
  it('when an event is delivered to its route, then GET /messages?reservationId= lists it in the API shape', async () => {
    const { app } = setup();
    const delivered = await deliver(app, 'ReservationConfirmed', { ...confirmed, version: 1, occurredAt: '2030-01-01T00:00:00Z' });
    expect(delivered.body).toEqual({ status: 'SUCCESS' });
    const res = await request(app).get('/messages?reservationId=r-1').set(as('guest-1'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        {
          id: expect.stringMatching(/^msg_/),
          reservationId: 'r-1',
          recipientId: 'guest-1',
          type: 'ReservationConfirmed',
          text: expect.stringContaining('Seoul'),
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
  });

  it('when ReservationCompleted is delivered (twice), then the guest gets one message saying the stay has ended', async () => {
    const { app, outbox } = setup();
    const completed = { ...confirmed, reservationId: 'r-done', status: 'completed', completedAt: '2030-01-05T00:00:00.000Z', version: 2 };
    expect((await deliver(app, 'ReservationCompleted', completed, 'c-1')).status).toBe(200);
    await deliver(app, 'ReservationCompleted', completed, 'c-1');
    const res = await request(app).get('/messages?reservationId=r-done').set(as('guest-1'));
    expect(res.body.items).toEqual([
      expect.objectContaining({
        type: 'ReservationCompleted',
        recipientId: 'guest-1',
        text: '[staycar Seoul] Your stay at "Ocean view" (Busan) from 2030-01-02 to 2030-01-04 has ended (reservation r-done is completed). Thank you for staying with us.',
      }),
    ]);
    expect(outbox.sent.filter((m) => m.type === 'ReservationCompleted')).toHaveLength(1);
  });

  it('when a reservation event carries only `id`, then it is used as the reservation id', async () => {
    const { app } = setup();
    const { reservationId: _omit, ...rest } = confirmed;
    await deliver(app, 'ReservationCancelled', { ...rest, id: 'r-9' });
    const res = await request(app).get('/messages?reservationId=r-9').set(as('guest-1'));
    expect(res.body.items).toHaveLength(1);
  });

  it('when an event lacks the guest, then it is dropped (not retried) and nothing is stored', async () => {
    const { app, store } = setup();
    const res = await deliver(app, 'PaymentApproved', { reservationId: 'r-2' });
    expect(res.body).toEqual({ status: 'DROP' });
    expect(store.operations).toBe(0);
  });

  it('when limit is over 100 or the cursor is foreign, then 400', async () => {
    const { app } = setup();
    const g = as('g');
    expect((await request(app).get('/messages?recipientId=g&limit=101').set(g)).status).toBe(400);
    expect((await request(app).get('/messages?recipientId=g&cursor=nope').set(g)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await request(app).get('/messages?recipientId=g&colour=red').set(g)).status).toBe(400);
  });

  it('when a guest has more messages than the limit, then pages follow nextCursor to the end', async () => {
    const { app, messages } = setup();
    for (const id of ['a', 'b', 'c']) {
      await messages.record('ReservationConfirmed', { ...confirmed, reservationId: id });
    }
    const first = await request(app).get('/messages?recipientId=guest-1&limit=2').set(as('guest-1'));
    expect(first.body.items).toHaveLength(2);
    const second = await request(app).get(`/messages?recipientId=guest-1&limit=2&cursor=${first.body.nextCursor}`).set(as('guest-1'));
    expect(second.body.items.map((m: { reservationId: string }) => m.reservationId)).toEqual(['c']);
    expect(second.body.nextCursor).toBeNull();
  });
});

describe('HTTP: whose messages (API.md v2: a reservation’s messages are its guest’s)', () => {
  /** Two guests with one reservation each: guest-1 has r-1 (confirmed, paid), guest-2 has r-2 (confirmed). */
  async function twoGuests() {
    const world = setup();
    await world.messages.record('ReservationConfirmed', confirmed);
    await world.messages.record('PaymentApproved', confirmed);
    await world.messages.record('ReservationConfirmed', { ...confirmed, reservationId: 'r-2', guestId: 'guest-2' });
    return world;
  }
  const types = (res: request.Response) =>
    res.body.items.map((m: { reservationId: string; type: string }) => `${m.reservationId} ${m.type}`);

  it('when nobody is signed in, then 401 UNAUTHENTICATED whatever the query', async () => {
    const { app } = await twoGuests();
    for (const url of ['/messages', '/messages?recipientId=guest-1', '/messages?reservationId=r-1']) {
      const res = await request(app).get(url);
      expect([url, res.status, res.body.error.code]).toEqual([url, 401, 'UNAUTHENTICATED']);
    }
  });

  it("when no query is given, then the caller's own messages (recipientId = caller) and nobody else's", async () => {
    const { app } = await twoGuests();
    const res = await request(app).get('/messages').set(as('guest-1'));
    expect(types(res)).toEqual(['r-1 ReservationConfirmed', 'r-1 PaymentApproved']);
    expect(res.body.items.every((m: { recipientId: string }) => m.recipientId === 'guest-1')).toBe(true);
    expect(types(await request(app).get('/messages').set(as('guest-2')))).toEqual(['r-2 ReservationConfirmed']);
    expect((await request(app).get('/messages').set(as('nobody-yet'))).body).toEqual({ items: [], nextCursor: null });
  });

  it("when ?recipientId= names another user, then 403 FORBIDDEN; an operator may read anyone's", async () => {
    const { app } = await twoGuests();
    const res = await request(app).get('/messages?recipientId=guest-2').set(as('guest-1'));
    expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(types(await request(app).get('/messages?recipientId=guest-1').set(as('guest-1')))).toHaveLength(2);
    expect(types(await request(app).get('/messages?recipientId=guest-2').set(asOperator()))).toEqual(['r-2 ReservationConfirmed']);
  });

  it("when ?reservationId= is another guest's reservation, then only messages addressed to the caller: none; an operator sees all", async () => {
    const { app } = await twoGuests();
    expect((await request(app).get('/messages?reservationId=r-2').set(as('guest-1'))).body).toEqual({ items: [], nextCursor: null });
    expect(types(await request(app).get('/messages?reservationId=r-1').set(as('guest-1')))).toEqual([
      'r-1 ReservationConfirmed',
      'r-1 PaymentApproved',
    ]);
    expect(types(await request(app).get('/messages?reservationId=r-1').set(asOperator()))).toEqual([
      'r-1 ReservationConfirmed',
      'r-1 PaymentApproved',
    ]);
    const both = await request(app).get('/messages?reservationId=r-1&recipientId=guest-2').set(as('guest-1'));
    expect([both.status, both.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await request(app).get('/messages?reservationId=r-1&recipientId=guest-2').set(asOperator())).body.items).toEqual([]);
  });

  it("when a reservation's messages are paged, then the recipient filter comes first: full pages, no cursor past the last", async () => {
    const { app } = await twoGuests();
    const first = await request(app).get('/messages?reservationId=r-1&limit=1').set(as('guest-1'));
    expect([types(first), typeof first.body.nextCursor]).toEqual([['r-1 ReservationConfirmed'], 'string']);
    const second = await request(app).get(`/messages?reservationId=r-1&limit=1&cursor=${first.body.nextCursor}`).set(as('guest-1'));
    expect([types(second), second.body.nextCursor]).toEqual([['r-1 PaymentApproved'], null]);
    expect((await request(app).get('/messages?reservationId=r-1&limit=1').set(as('guest-2'))).body).toEqual({
      items: [],
      nextCursor: null,
    });
  });
});
