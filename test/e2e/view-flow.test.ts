import { api, eventually, newUsers, stay, unique } from '../support/api';
import { messageTypes, roomView, statuses } from '../support/view';

// The view and the messages through the real flows: room, rentcar, reservation and payment
// services publish through Dapr's outbox; message and viewpage follow. Everything via the gateway.
jest.setTimeout(120_000);

describe('the view and messages through the real services', () => {
  it('when a guest reserves a room with a car, reviews it and cancels, then the view and the messages follow every step', async () => {
    const city = unique('FlowViewCity');
    // Three real users: the room's host, the car's host, the guest.
    const [roomHost, carHost, guest] = await newUsers(3, 'flow');
    const guestId = guest.userId;
    const room = await roomHost.api('POST', '/rooms', { hostId: roomHost.userId, name: 'Flow view room', city, pricePerNight: 100000 });
    expect(room.status).toBe(201);
    const car = await carHost.api('POST', '/rentcars', { hostId: carHost.userId, model: 'Flow view car', city, pricePerDay: 30000 });
    expect(car.status).toBe(201);
    const roomId = room.body.id as string;

    const listed = await eventually(async () => {
      const res = await api('GET', `/rooms?city=${encodeURIComponent(city)}`);
      expect(res.body.items).toHaveLength(1);
      return res.body.items[0];
    });
    expect(listed).toEqual(room.body);
    await eventually(async () => {
      const res = await api('GET', `/rentcars?city=${encodeURIComponent(city)}`);
      expect(res.body.items).toEqual([car.body]);
    });

    const dates = stay(200, 2);
    const reserved = await guest.api('POST', '/reservations', { guestId, roomId, carId: car.body.id, ...dates });
    expect(reserved.status).toBe(201);
    const reservationId = reserved.body.id as string;

    const confirmed = await eventually(async () => {
      const view = await roomView(roomHost, roomId);
      expect(statuses(view.latestReservation)).toEqual({ status: 'confirmed', paymentStatus: 'approved', carStatus: 'reserved' });
      return view;
    });
    expect(confirmed).toMatchObject({ roomId, name: 'Flow view room', city, pricePerNight: 100000, activeReservations: 1 });
    expect(confirmed.latestReservation).toEqual({
      reservationId,
      guestId,
      ...dates,
      status: 'confirmed',
      paymentStatus: 'approved',
      carId: car.body.id,
      carStatus: 'reserved',
    });
    await eventually(async () =>
      expect(await messageTypes(guest, reservationId)).toEqual(['PaymentApproved', 'RentcarReserved', 'ReservationConfirmed']),
    );

    // The guest reviews the stay: room accepts it once it has consumed ReservationConfirmed itself.
    const review = await eventually(
      async () => {
        const res = await guest.api('POST', `/rooms/${roomId}/reviews`, { reservationId, rating: 4, comment: 'quiet' });
        if (res.status === 403 && res.body.error.code === 'REVIEW_NOT_ALLOWED')
          throw new Error('room has not consumed ReservationConfirmed yet');
        return res;
      },
      30_000,
      300,
    );
    expect(review.status).toBe(201);
    await eventually(async () => expect(await roomView(roomHost, roomId)).toMatchObject({ reviewCount: 1, averageRating: 4 }));

    expect((await guest.api('POST', `/reservations/${reservationId}/cancel`)).status).toBe(200);
    await eventually(async () => {
      const view = await roomView(roomHost, roomId);
      expect(statuses(view.latestReservation)).toEqual({ status: 'cancelled', paymentStatus: 'refunded', carStatus: 'released' });
      expect(view.activeReservations).toBe(0);
    });
    await eventually(async () =>
      expect(await messageTypes(guest, reservationId)).toEqual([
        'PaymentApproved',
        'PaymentRefunded',
        'RentcarReleased',
        'RentcarReserved',
        'ReservationCancelled',
        'ReservationConfirmed',
      ]),
    );
    // The recipient's index is written just after the reservation's: wait for it too.
    const byGuest = await eventually(async () => {
      const answer = await guest.api('GET', `/messages?recipientId=${guestId}`);
      expect(answer.body.items).toHaveLength(6);
      return answer;
    });
    expect(
      byGuest.body.items.every((m: { text: string; recipientId: string }) => m.text.includes('Seoul') && m.recipientId === guestId),
    ).toBe(true);

    // room frees the nights when it consumes ReservationCancelled (its own subscription, not the view's).
    await eventually(async () =>
      expect((await api('GET', `/rooms/${roomId}/availability?checkIn=${dates.checkIn}&checkOut=${dates.checkOut}`)).body.available).toBe(
        true,
      ),
    );
    expect((await roomHost.api('DELETE', `/rooms/${roomId}`)).status).toBe(204);
    await eventually(async () => expect((await api('GET', `/rooms?city=${encodeURIComponent(city)}`)).body.items).toEqual([]));
    // A deleted room leaves the view: 404 to its own host too.
    expect((await roomHost.api('GET', `/roomviews/${roomId}`)).status).toBe(404);
  });
});
