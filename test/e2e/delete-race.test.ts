import { api, newUsers, stay, type User } from '../support/api';

// A reservation counts from the moment its POST answered 201 (API.md): a delete right after it
// must be refused, although room and rentcar learn of the confirmation only from the event that
// follows. The hold the saga placed blocks the delete until the event turns it into a booking.

jest.setTimeout(180_000);

const ROUNDS = 50;

/** One host registers every room and car, one guest reserves them (real users). */
let host: User;
let guest: User;
beforeAll(async () => {
  [host, guest] = await newUsers(2, 'delete-race');
});

describe('deleting a room or car right after it was reserved', () => {
  it(`when DELETE /rooms/{id} and /rentcars/{id} follow the 201 at once, ${ROUNDS} times in a row, then every delete is 409 and nothing is orphaned`, async () => {
    const deletes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const room = await host.api('POST', '/rooms', { hostId: host.userId, name: 'Race room', city: 'Seoul', pricePerNight: 30_000 });
      const car = await host.api('POST', '/rentcars', { hostId: host.userId, model: 'Race car', city: 'Seoul', pricePerDay: 10_000 });
      expect([room.status, car.status]).toEqual([201, 201]);
      const dates = stay(10 + (round % 40), 2);
      const reservation = await guest.api('POST', '/reservations', {
        guestId: guest.userId,
        roomId: room.body.id,
        carId: car.body.id,
        ...dates,
      });
      expect(reservation.status).toBe(201);

      const [roomDelete, carDelete] = await Promise.all([
        host.api('DELETE', `/rooms/${room.body.id}`),
        host.api('DELETE', `/rentcars/${car.body.id}`),
      ]);
      deletes.push(roomDelete.status, carDelete.status);
      expect([roomDelete.status, roomDelete.body?.error?.code]).toEqual([409, 'ROOM_HAS_RESERVATIONS']);
      expect([carDelete.status, carDelete.body?.error?.code]).toEqual([409, 'CAR_HAS_RESERVATIONS']);
      expect((await api('GET', `/rooms/${room.body.id}`)).status).toBe(200);
      expect((await api('GET', `/rentcars/${car.body.id}`)).status).toBe(200);
    }
    expect(deletes.filter((status) => status === 204)).toEqual([]);
  });

  it('when the saga failed (payment declined), then its released hold no longer blocks the delete', async () => {
    const room = await host.api('POST', '/rooms', { hostId: host.userId, name: 'Declined room', city: 'Seoul', pricePerNight: 30_000 });
    const declined = await guest.api('POST', '/reservations', {
      guestId: guest.userId,
      roomId: room.body.id,
      ...stay(60, 2),
      payment: { method: 'card', token: 'tok_declined' },
    });
    expect(declined.status).toBe(402);
    expect((await host.api('DELETE', `/rooms/${room.body.id}`)).status).toBe(204);
  });
});
