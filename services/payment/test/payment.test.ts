import request from 'supertest';
import pino from 'pino';
import { DependencyUnavailableError, rejectionOf } from '@staycar/common';
import { MemoryStatePort } from '@staycar/common/testing';
import { as, asOperator } from '../../common/test/support/identity';
import { createApp } from '../src/http/app';
import { delayedApprovals } from '../src/adapters/delayedApprovals';
import { paymentStore } from '../src/adapters/paymentStore';
import { paymentUseCases } from '../src/app';
import { paymentIdFor, refunded, approved, paymentEvent, withRefundedAmount, type Payment } from '../src/domain/payment';

function setup() {
  const store = new MemoryStatePort();
  const logger = pino({ level: 'silent' });
  const payments = paymentUseCases({ state: store, logger, clock: () => new Date(), declinedToken: 'tok_declined' });
  const app = createApp({
    config: { pubsub: 'pubsub', eventsTopics: ['events'], deadLetterTopic: 'dead' },
    logger,
    payments,
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

  it('when a part is refunded, then partially_refunded with refundedAmount; all of it (or more) is refunded; 0 changes nothing', () => {
    const stored = approved({ reservationId: 'r', guestId: 'g', amount: 301, currency: 'KRW' }, 'T1');
    expect(refunded(stored, 'T2', 150).next.payment).toMatchObject({ status: 'partially_refunded', refundedAmount: 150, refundedAt: 'T2' });
    expect(refunded(stored, 'T2', 301).next.payment).toMatchObject({ status: 'refunded', refundedAmount: 301 });
    expect(refunded(stored, 'T2', 999).next.payment).toMatchObject({ status: 'refunded', refundedAmount: 301 });
    expect(refunded(stored, 'T2').next.payment).toMatchObject({ status: 'refunded', refundedAmount: 301 });
    expect(refunded(stored, 'T2', 0)).toEqual({ next: stored, changed: false });
    // A partially refunded payment is never refunded again (one cancel per reservation).
    expect(refunded(refunded(stored, 'T2', 150).next, 'T3').changed).toBe(false);
  });

  it('when a payment stored before partial refunds is read, then refundedAmount is 0 while approved and all of it once refunded', () => {
    const { refundedAmount: _r, ...old } = approved({ reservationId: 'r', guestId: 'g', amount: 7, currency: 'KRW' }, 'T1').payment;
    expect(withRefundedAmount(old as Payment).refundedAmount).toBe(0);
    expect(withRefundedAmount({ ...old, status: 'refunded' } as Payment).refundedAmount).toBe(7);
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
      refundedAmount: 0,
      createdAt: expect.any(String),
    });
    const second = await request(app)
      .post('/internal/payments')
      .send(approve({ amount: 1 }));
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(store.published.map((e) => e.type)).toEqual(['PaymentApproved']);
  });

  it('when approves for one reservation race, then exactly one payment and one event', async () => {
    const { app, store } = setup();
    const answers = await Promise.all(Array.from({ length: 6 }, () => request(app).post('/internal/payments').send(approve())));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.every((a) => a.status === 201 || a.status === 200)).toBe(true);
    expect(store.published).toHaveLength(1);
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
    expect(store.keys()).toEqual([]);
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
    expect(store.published.map((e) => e.type)).toEqual(['PaymentApproved', 'PaymentRefunded']);
  });

  it('when ReservationCancelled arrives, then the payment is refunded (idempotent on redelivery)', async () => {
    const { app, store } = setup();
    await request(app).post('/internal/payments').send(approve());
    const event = { id: 'e1', type: 'ReservationCancelled', data: { reservationId: 'res-1', status: 'cancelled', version: 2 } };
    expect((await request(app).post('/events/ReservationCancelled').send(event)).body).toEqual({ status: 'SUCCESS' });
    expect((await request(app).post('/events/ReservationCancelled').send(event)).body).toEqual({ status: 'SUCCESS' });
    expect(store.published.map((e) => e.type)).toEqual(['PaymentApproved', 'PaymentRefunded']);
    expect(
      (
        await request(app)
          .get(`/payments/${paymentIdFor('res-1')}`)
          .set(as('g1'))
      ).body.status,
    ).toBe('refunded');
  });

  const cancelledEvent = (data: Record<string, unknown>, id = 'e1') => ({
    id,
    type: 'ReservationCancelled',
    data: { reservationId: 'res-1', status: 'cancelled', version: 2, ...data },
  });
  const paymentOf = async (app: ReturnType<typeof setup>['app']) =>
    (
      await request(app)
        .get(`/payments/${paymentIdFor('res-1')}`)
        .set(as('g1'))
    ).body;

  it('when ReservationCancelled says a part is refunded, then partially_refunded by that amount and PaymentRefunded says so, once', async () => {
    const { app, store } = setup();
    await request(app).post('/internal/payments').send(approve());
    for (const id of ['e1', 'e2']) {
      const res = await request(app)
        .post('/events/ReservationCancelled')
        .send(cancelledEvent({ refundAmount: 150_000 }, id));
      expect(res.body).toEqual({ status: 'SUCCESS' });
    }
    // An event from old code (no refundAmount: all of it) about the same cancel changes nothing either.
    await request(app).post('/events/ReservationCancelled').send(cancelledEvent({}, 'e3'));
    expect(await paymentOf(app)).toMatchObject({ status: 'partially_refunded', amount: 300_000, refundedAmount: 150_000 });
    expect(store.published.map((e) => [e.type, e.data.status, e.data.refundedAmount])).toEqual([
      ['PaymentApproved', 'approved', 0],
      ['PaymentRefunded', 'partially_refunded', 150_000],
    ]);
  });

  it('when ReservationCancelled refunds all of it, or comes from old code without refundAmount, then refunded in full', async () => {
    for (const data of [{ refundAmount: 300_000 }, {}]) {
      const { app, store } = setup();
      await request(app).post('/internal/payments').send(approve());
      await request(app).post('/events/ReservationCancelled').send(cancelledEvent(data));
      expect(await paymentOf(app)).toMatchObject({ status: 'refunded', refundedAmount: 300_000 });
      expect(store.published.map((e) => e.type)).toEqual(['PaymentApproved', 'PaymentRefunded']);
    }
  });

  it('when ReservationCancelled refunds 0 (non_refundable), then the payment stays approved with refundedAmount 0 and no event', async () => {
    const { app, store } = setup();
    await request(app).post('/internal/payments').send(approve());
    const res = await request(app)
      .post('/events/ReservationCancelled')
      .send(cancelledEvent({ refundAmount: 0 }));
    expect(res.body).toEqual({ status: 'SUCCESS' });
    expect(await paymentOf(app)).toMatchObject({ status: 'approved', refundedAmount: 0 });
    expect(store.published.map((e) => e.type)).toEqual(['PaymentApproved']);
  });

  it('when the refundAmount is not a whole non-negative number, then the event is dropped (poison) and nothing is refunded', async () => {
    const { app, store } = setup();
    await request(app).post('/internal/payments').send(approve());
    for (const refundAmount of [-1, 1.5, '100']) {
      const res = await request(app).post('/events/ReservationCancelled').send(cancelledEvent({ refundAmount }));
      expect(res.body).toEqual({ status: 'DROP' });
    }
    expect(store.published.map((e) => e.type)).toEqual(['PaymentApproved']);
  });

  it('when the saga compensates (the internal refund route), then it is always a full refund', async () => {
    const { app } = setup();
    await request(app).post('/internal/payments').send(approve());
    const res = await request(app).post('/internal/payments/by-reservation/res-1/refund');
    expect(res.body).toMatchObject({ status: 'refunded', refundedAmount: 300_000 });
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
    expect(store.published).toEqual([]);
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
    const readsBefore = store.calls.get + store.calls.getMany;
    for (const id of ['%00', 'pay%00x', 'a%2Fb', 'x'.repeat(101)]) {
      const res = await request(app).get(`/payments/${id}`).set(GUEST);
      expect([id, res.status, res.body.error.code]).toEqual([id, 404, 'NOT_FOUND']);
    }
    expect(store.calls.get + store.calls.getMany).toBe(readsBefore);
  });
});

describe('adapters', () => {
  it('when the store fails (not an ETag race), then 503 TRY_LATER and nothing is charged', async () => {
    const store = new MemoryStatePort();
    const logger = pino({ level: 'silent' });
    const payments = paymentUseCases({ state: paymentStore(store), logger, clock: () => new Date(), declinedToken: 'tok_declined' });
    const app = createApp({
      config: { pubsub: 'p', eventsTopics: ['e'], deadLetterTopic: 'd' },
      logger,
      payments,
      sidecarHealthy: async () => true,
    });
    store.failures.push(new DependencyUnavailableError('state get failed: connection refused'));
    const res = await request(app).post('/internal/payments').send(approve());
    expect([res.status, res.body.error.code, res.body.error.message]).toEqual([
      503,
      'TRY_LATER',
      'The payment store did not answer; nothing was charged.',
    ]);
    expect(store.keys()).toEqual([]);
  });

  it('when a refund races other writers, then it decides again and refunds once', async () => {
    const { app, store } = setup();
    await request(app).post('/internal/payments').send(approve());
    store.conflictsToInject = 3;
    const res = await request(app).post('/internal/payments/by-reservation/res-1/refund');
    expect([res.status, res.body.status]).toEqual([200, 'refunded']);
    expect(store.published.map((e) => e.type)).toEqual(['PaymentApproved', 'PaymentRefunded']);
  });

  it('when approvals are delayed (PAYMENT_APPROVE_DELAY_MS, tests only), then a refund that lands meanwhile refuses the late approval', async () => {
    const store = new MemoryStatePort();
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const payments = paymentUseCases({ state: store, logger, clock: () => new Date(), declinedToken: 'tok_declined' });
    const approveLate = delayedApprovals(payments.approve, 50, logger);
    const late = approveLate(approve()).catch((error: unknown) => error);
    expect(await payments.refund('res-1')).toBeUndefined(); // no payment yet: a tombstone
    expect(await late).toMatchObject({ kind: 'declined', code: 'PAYMENT_DECLINED' });
    expect(store.published).toEqual([]);
    expect(lines.some((l) => l.includes('res-1') && l.includes('PAYMENT_APPROVE_DELAY_MS'))).toBe(true);
    expect(delayedApprovals(payments.approve, 0, logger)).toBe(payments.approve);
  });
});
