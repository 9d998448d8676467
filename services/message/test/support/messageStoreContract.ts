import { messageId, type StoredMessage } from '../../src/domain/messages';
import type { MessageStore } from '../../src/ports';

/**
 * What every MessageStore keeps (run against MemoryMessageStore by the unit tests and against
 * TypeormMessageStore on the profile's real database by test/e2e/message-store.test.ts).
 * `fresh()` gives a store; `unique(prefix)` an id no other run used.
 */
export function messageStoreContract(fresh: () => Promise<MessageStore>, unique: (prefix: string) => string): void {
  const message = (
    reservationId: string,
    type: StoredMessage['type'],
    recipientId: string,
    extra: Partial<StoredMessage> = {},
  ): StoredMessage => ({
    id: messageId(reservationId, type),
    reservationId,
    recipientId,
    type,
    text: `[staycar Seoul] ${type} of ${reservationId}`,
    createdAt: new Date().toISOString(),
    delivery: 'sent',
    deliveredAt: new Date().toISOString(),
    ...extra,
  });

  it('when a (reservation, type) is created twice, concurrently, then exactly one create wins and one message is stored', async () => {
    const store = await fresh();
    const r = unique('r');
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, i) => store.create(message(r, 'PaymentApproved', 'g', { text: `try ${i}` }))),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const stored = await store.ofReservation(r);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.text).toBe(`try ${outcomes.indexOf(true)}`);
  });

  it("when messages are stored, then a reservation's come back oldest first with their stay and delivery", async () => {
    const store = await fresh();
    const r = unique('r');
    const stay = { roomName: 'Hanok "A"', city: 'Seoul', checkIn: '2030-01-02', checkOut: '2030-01-04', amount: 200000, currency: 'KRW' };
    await store.create(message(r, 'ReservationConfirmed', 'g', { stay }));
    const undelivered = message(r, 'PaymentApproved', 'g', { delivery: 'undelivered' });
    delete undelivered.deliveredAt;
    await store.create(undelivered);
    const stored = await store.ofReservation(r);
    expect(stored.map((m) => [m.type, m.delivery, m.stay])).toEqual([
      ['ReservationConfirmed', 'sent', stay],
      ['PaymentApproved', 'undelivered', undefined],
    ]);
    expect(stored[1]).toEqual(undelivered);
  });

  it('when an undelivered message is marked sent, then it leaves the undelivered ones; marking it again changes nothing', async () => {
    const store = await fresh();
    const r = unique('r');
    const m = { ...message(r, 'PaymentRefunded', 'g'), delivery: 'undelivered' as const, deliveredAt: undefined };
    await store.create(m);
    expect((await store.undelivered(1000)).map((x) => x.id)).toContain(m.id);
    await store.markSent(m.id, '2030-01-01T00:00:00.000Z');
    await store.markSent(m.id, '2031-01-01T00:00:00.000Z');
    expect((await store.undelivered(1000)).map((x) => x.id)).not.toContain(m.id);
    expect((await store.ofReservation(r))[0]).toMatchObject({ delivery: 'sent', deliveredAt: '2030-01-01T00:00:00.000Z' });
  });

  it("when a recipient's or a reservation's messages are paged, then pages follow the creation order and the filter comes first", async () => {
    const store = await fresh();
    const [g, other, r1, r2] = [unique('g'), unique('o'), unique('r'), unique('r')];
    await store.create(message(r1, 'ReservationConfirmed', g));
    await store.create(message(r1, 'PaymentApproved', other));
    await store.create(message(r2, 'ReservationConfirmed', g));
    await store.create(message(r1, 'RentcarReserved', g));
    const first = await store.list({ recipientId: g }, undefined, 2);
    expect(first.map((m) => `${m.reservationId === r1 ? 'r1' : 'r2'} ${m.type}`)).toEqual([
      'r1 ReservationConfirmed',
      'r2 ReservationConfirmed',
    ]);
    const rest = await store.list({ recipientId: g }, first[1]?.position, 2);
    expect(rest.map((m) => m.type)).toEqual(['RentcarReserved']);
    expect((await store.list({ reservationId: r1 }, undefined, 10)).map((m) => m.type)).toEqual([
      'ReservationConfirmed',
      'PaymentApproved',
      'RentcarReserved',
    ]);
    expect((await store.list({ reservationId: r1, recipientId: g }, undefined, 10)).map((m) => m.type)).toEqual([
      'ReservationConfirmed',
      'RentcarReserved',
    ]);
    expect(await store.list({ reservationId: unique('none') }, undefined, 10)).toEqual([]);
  });
}
