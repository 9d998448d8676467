import request from 'supertest';
import pino from 'pino';
import { EtagConflictError, rejectionOf } from '@staycar/common';
import { as, asOperator } from '../../common/test/support/identity';
import { createApp } from '../src/http/app';
import { PaymentService } from '../src/service';
import { paymentIdFor, refunded, approved, paymentEvent } from '../src/domain/payment';
import type { StoredPayment } from '../src/domain/payment';
import type { PaymentStore, Versioned } from '../src/domain/ports';

/** In-process PaymentStore with first-write-wins ETags (unit tests only). */
class MemoryStore implements PaymentStore {
  data = new Map<string, Versioned<StoredPayment>>();
  events: { type: string; data: Record<string, unknown> }[] = [];
  private n = 0;
  private put(id: string, value: StoredPayment, etag?: string) {
    const current = this.data.get(id);
    if (etag === undefined ? current !== undefined : current?.etag !== etag) throw new EtagConflictError('conflict', 409);
    this.data.set(id, { value: structuredClone(value), etag: String(++this.n) });
  }
  async get(id: string) {
    const found = this.data.get(id);
    return found && { value: structuredClone(found.value), etag: found.etag };
  }
  async insert(id: string, stored: StoredPayment, event: { type: string; data: object }) {
    this.put(id, stored);
    this.events.push(event as { type: string; data: Record<string, unknown> });
  }
  async update(id: string, stored: StoredPayment, etag: string, event: { type: string; data: object }) {
    this.put(id, stored, etag);
    this.events.push(event as { type: string; data: Record<string, unknown> });
  }
  async putTombstone(id: string, stored: StoredPayment) {
    try {
      this.put(id, stored);
      return true;
    } catch {
      return false;
    }
  }
}

function setup() {
  const store = new MemoryStore();
  const logger = pino({ level: 'silent' });
  const service = new PaymentService({ store, logger, declinedToken: 'tok_declined' });
  const app = createApp({
    config: { pubsub: 'pubsub', eventsTopic: 'events', deadLetterTopic: 'dead' },
    logger,
    service,
    sidecarHealthy: async () => true,
  });
  return { app, store };
}

const approve = (extra: Record<string, unknown> = {}) => ({
  reservationId: 'res-1',
  guestId: 'g1',
  amount: 300_000,
  currency: 'KRW',
  ...extra,
});

describe('payment domain', () => {
  it('when ids are derived, then one reservation always gives the same payment id and two give two', () => {
    expect(paymentIdFor('r1')).toBe(paymentIdFor('r1'));
    expect(paymentIdFor('r1')).not.toBe(paymentIdFor('r2'));
  });

  it('when refunded twice, then the second changes nothing; events carry version 1 then 2 and guestId', () => {
    const stored = approved({ reservationId: 'r', guestId: 'g', amount: 5, currency: 'KRW' }, 'T1');
    expect(paymentEvent(stored, 'T1')).toMatchObject({ type: 'PaymentApproved', data: { guestId: 'g', version: 1, status: 'approved' } });
    const once = refunded(stored, 'T2');
    expect(once.changed).toBe(true);
    expect(paymentEvent(once.next, 'T2')).toMatchObject({
      type: 'PaymentRefunded',
      data: { version: 2, status: 'refunded', refundedAt: 'T2' },
    });
    expect(refunded(once.next, 'T3').changed).toBe(false);
  });
});

/**
 * The saga's internal routes answer refusals as 200 {rejected: {status, error}} (docs/contracts.md);
 * this reads such an answer back as the status and error body it stands for.
 */
const outcome = <R extends { status: number; body: unknown }>(res: R): R => {
  const rejected = res.status === 200 ? rejectionOf(res.body) : undefined;
  return rejected ? { ...res, status: rejected.status, body: { error: rejected.error } } : res;
};

describe('POST /internal/payments', () => {
  it('when a reservation is paid, then 201 approved and PaymentApproved; a second approve answers 200 with the same payment', async () => {
    const { app, store } = setup();
    const first = await request(app)
      .post('/internal/payments')
      .send(approve({ method: 'card', token: 'tok_ok' }));
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: paymentIdFor('res-1'),
      reservationId: 'res-1',
      amount: 300_000,
      currency: 'KRW',
      status: 'approved',
      createdAt: expect.any(String),
    });
    const second = await request(app)
      .post('/internal/payments')
      .send(approve({ amount: 1 }));
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(store.events.map((e) => e.type)).toEqual(['PaymentApproved']);
  });

  it('when approves for one reservation race, then exactly one payment and one event', async () => {
    const { app, store } = setup();
    const answers = await Promise.all(Array.from({ length: 6 }, () => request(app).post('/internal/payments').send(approve())));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.every((a) => a.status === 201 || a.status === 200)).toBe(true);
    expect(store.events).toHaveLength(1);
  });

  it('when the token is tok_declined, then 402 PAYMENT_DECLINED and nothing is stored', async () => {
    const { app, store } = setup();
    const wire = await request(app)
      .post('/internal/payments')
      .send(approve({ token: 'tok_declined' }));
    // A refusal is 200 {rejected} on the wire, so Dapr's breaker on reservation → payment does not count it.
    expect(wire.status).toBe(200);
    const res = outcome(wire);
    expect(res.status).toBe(402);
    expect(res.body.error.code).toBe('PAYMENT_DECLINED');
    expect(store.data.size).toBe(0);
  });

  it('when the body is wrong, then 400 VALIDATION_FAILED', async () => {
    const { app } = setup();
    for (const bad of [approve({ amount: -1 }), approve({ amount: 1.5 }), approve({ status: 'approved' }), { reservationId: 'r' }]) {
      const res = outcome(await request(app).post('/internal/payments').send(bad));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('refunds', () => {
  it('when a paid reservation is refunded, then 200 refunded with refundedAt and PaymentRefunded once, also when repeated', async () => {
    const { app, store } = setup();
    await request(app).post('/internal/payments').send(approve());
    const first = await request(app).post('/internal/payments/by-reservation/res-1/refund');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'refunded', refundedAt: expect.any(String) });
    const again = await request(app).post('/internal/payments/by-reservation/res-1/refund');
    expect(again.body).toEqual(first.body);
    expect(store.events.map((e) => e.type)).toEqual(['PaymentApproved', 'PaymentRefunded']);
  });

  it('when ReservationCancelled arrives, then the payment is refunded (idempotent on redelivery)', async () => {
    const { app, store } = setup();
    await request(app).post('/internal/payments').send(approve());
    const event = { id: 'e1', type: 'ReservationCancelled', data: { reservationId: 'res-1', status: 'cancelled', version: 2 } };
    expect((await request(app).post('/events/ReservationCancelled').send(event)).body).toEqual({ status: 'SUCCESS' });
    expect((await request(app).post('/events/ReservationCancelled').send(event)).body).toEqual({ status: 'SUCCESS' });
    expect(store.events.map((e) => e.type)).toEqual(['PaymentApproved', 'PaymentRefunded']);
    expect(
      (
        await request(app)
          .get(`/payments/${paymentIdFor('res-1')}`)
          .set(as('g1'))
      ).body.status,
    ).toBe('refunded');
  });

  it('when the cancel (or a recovery refund) comes before any payment, then a tombstone refuses the late approve with 402', async () => {
    const { app, store } = setup();
    const early = outcome(await request(app).post('/internal/payments/by-reservation/res-9/refund'));
    expect(early.status).toBe(404);
    const late = outcome(
      await request(app)
        .post('/internal/payments')
        .send(approve({ reservationId: 'res-9' })),
    );
    expect(late.status).toBe(402);
    expect(store.events).toEqual([]);
    expect((await request(app).get('/payments?reservationId=res-9').set(asOperator())).body).toEqual({ items: [], nextCursor: null });
  });

  it('when an event has no reservationId, then it is dropped (poison), not retried', async () => {
    const { app } = setup();
    const res = await request(app)
      .post('/events/ReservationCancelled')
      .send({ id: 'e2', type: 'ReservationCancelled', data: { nope: 1 } });
    expect(res.body).toEqual({ status: 'DROP' });
  });
});

describe('public reads (API.md v2: a payment is seen by the guest of its reservation, or an operator)', () => {
  const GUEST = as('g1');

  it('when its guest reads, then by id and by reservationId; unknown is 404 / empty; reservationId is required', async () => {
    const { app } = setup();
    const paid = await request(app).post('/internal/payments').send(approve());
    expect((await request(app).get(`/payments/${paid.body.id}`).set(GUEST)).body).toEqual(paid.body);
    expect((await request(app).get('/payments?reservationId=res-1').set(GUEST)).body).toEqual({ items: [paid.body], nextCursor: null });
    expect((await request(app).get('/payments/pay_nope').set(GUEST)).status).toBe(404);
    expect((await request(app).get('/payments?reservationId=other').set(GUEST)).body.items).toEqual([]);
    const missing = await request(app).get('/payments').set(GUEST);
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('VALIDATION_FAILED');
    expect((await request(app).get('/internal/payments/by-reservation/res-1')).body).toEqual(paid.body);
    expect((await request(app).get('/internal/payments/by-reservation/zzz')).status).toBe(404);
  });

  it('when nobody is signed in, then 401 UNAUTHENTICATED on both reads', async () => {
    const { app } = setup();
    const paid = await request(app).post('/internal/payments').send(approve());
    for (const res of [await request(app).get(`/payments/${paid.body.id}`), await request(app).get('/payments?reservationId=res-1')]) {
      expect([res.status, res.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
  });

  it('when another user reads, then the payment does not exist for them: 404 by id (as for an unknown id), an empty list by reservation', async () => {
    const { app } = setup();
    const paid = await request(app).post('/internal/payments').send(approve());
    const stranger = as('g2');
    const unknown = await request(app).get('/payments/pay_nope').set(stranger);
    const hidden = await request(app).get(`/payments/${paid.body.id}`).set(stranger);
    expect([hidden.status, hidden.body]).toEqual([404, unknown.body]);
    expect((await request(app).get('/payments?reservationId=res-1').set(stranger)).body).toEqual({ items: [], nextCursor: null });
  });

  it('when an operator reads, then they see it (by id and by reservation); a refunded payment too', async () => {
    const { app } = setup();
    const paid = await request(app).post('/internal/payments').send(approve());
    await request(app).post('/internal/payments/by-reservation/res-1/refund');
    expect((await request(app).get(`/payments/${paid.body.id}`).set(asOperator())).body).toMatchObject({
      id: paid.body.id,
      status: 'refunded',
    });
    expect((await request(app).get('/payments?reservationId=res-1').set(asOperator())).body.items).toHaveLength(1);
  });

  it('when a path id is not a client id (NUL, encoded slash, too long), then 404 NOT_FOUND and the store is not asked', async () => {
    const { app, store } = setup();
    const read: string[] = [];
    const get = store.get.bind(store);
    store.get = async (id) => {
      read.push(id);
      return get(id);
    };
    for (const id of ['%00', 'pay%00x', 'a%2Fb', 'x'.repeat(101)]) {
      const res = await request(app).get(`/payments/${id}`).set(GUEST);
      expect([id, res.status, res.body.error.code]).toEqual([id, 404, 'NOT_FOUND']);
    }
    expect(read).toEqual([]);
  });
});
