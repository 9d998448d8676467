/**
 * The public API through the cluster's gateway (deploy/overlays/cluster, NodePort 30080), after
 * `npm run test:k8s` deployed it: sign-up and sign-in, rooms and cars, a reservation with a car
 * (the saga across room, rentcar, payment and reservation, each with an injected sidecar), its
 * messages and the host's view (events through the in-cluster Redis), and a cancel. GATEWAY_URL is
 * set by scripts/cluster/test-k8s.mjs; the project runs only then (jest.config.js).
 */
import { eventually, newUsers, stay, type User } from '../support/api';
import { messageTypes, roomView } from '../support/view';

let host: User;
let guest: User;

beforeAll(async () => {
  [host, guest] = await newUsers(2, 'k8s');
});

describe('the public API on Kubernetes (through the gateway NodePort)', () => {
  let roomId: string;
  let carId: string;
  let reservationId: string;

  it('when a host lists a room and a car, then both are listed and the room is free', async () => {
    const room = await host.api('POST', '/rooms', { hostId: host.userId, name: 'k8s room', city: 'Seoul', pricePerNight: 100 });
    expect(room.status).toBe(201);
    roomId = room.body.id as string;
    const car = await host.api('POST', '/rentcars', { hostId: host.userId, model: 'k8s car', city: 'Seoul', pricePerDay: 30 });
    expect(car.status).toBe(201);
    carId = car.body.id as string;
    const { checkIn, checkOut } = stay(0, 2);
    const free = await host.api('GET', `/rooms/${roomId}/availability?checkIn=${checkIn}&checkOut=${checkOut}`);
    expect(free.status).toBe(200);
    expect(free.body.available).toBe(true);
  });

  it('when a guest reserves the room with the car, then it is confirmed and paid, with its messages and the host’s view', async () => {
    const res = await guest.api('POST', '/reservations', { guestId: guest.userId, roomId, carId, ...stay(0, 2) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ roomId, carId, nights: 2, amount: 2 * 100 + 2 * 30, status: 'confirmed' });
    reservationId = res.body.id as string;
    await eventually(
      async () => expect(await messageTypes(guest, reservationId)).toEqual(['PaymentApproved', 'RentcarReserved', 'ReservationConfirmed']),
      60_000,
      500,
    );
    await eventually(async () => expect((await roomView(host, roomId)).name).toBe('k8s room'), 60_000, 500);
  });

  it('when the guest cancels, then the reservation is cancelled and the room is free again', async () => {
    const cancelled = await guest.api('POST', `/reservations/${reservationId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: reservationId, status: 'cancelled' });
    const { checkIn, checkOut } = stay(0, 2);
    await eventually(
      async () => expect((await api200(`/rooms/${roomId}/availability?checkIn=${checkIn}&checkOut=${checkOut}`)).available).toBe(true),
      60_000,
      500,
    );
  });
});

async function api200(route: string): Promise<{ available: boolean }> {
  const res = await host.api('GET', route);
  if (res.status !== 200) throw new Error(`${route} answered ${res.status}`);
  return res.body as { available: boolean };
}
