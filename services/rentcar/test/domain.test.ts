import {
  deleteCar,
  modifyCar,
  registerCar,
  rentcarDeleted,
  rentcarModified,
  rentcarRegistered,
  rentcarReleased,
  rentcarReserved,
} from '../src/domain/car';

const NOW = new Date('2030-01-01T12:00:00Z');
const input = { hostId: 'h1', model: 'Ioniq 5', city: 'Jeju', pricePerDay: 70000 };

describe('cars', () => {
  it('when registered without optional fields, then defaults: KRW, 4 seats, version 1', () => {
    const record = registerCar('car_1', input, NOW);
    expect(record.car).toEqual({
      id: 'car_1',
      ...input,
      currency: 'KRW',
      seats: 4,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    expect(rentcarRegistered(record, NOW)).toEqual({
      type: 'RentcarRegistered',
      data: {
        carId: 'car_1',
        ...input,
        currency: 'KRW',
        seats: 4,
        createdAt: NOW.toISOString(),
        updatedAt: NOW.toISOString(),
        version: 1,
        occurredAt: NOW.toISOString(),
      },
    });
  });

  it('when patched, then only the named fields change and the version grows; deleted, a tombstone with the next version', () => {
    const later = new Date(NOW.getTime() + 60_000);
    const next = modifyCar(registerCar('car_1', input, NOW), { seats: 7, model: undefined }, later);
    expect(next.car).toMatchObject({ model: 'Ioniq 5', seats: 7, updatedAt: later.toISOString() });
    expect(rentcarModified(next, later).data).toMatchObject({ carId: 'car_1', seats: 7, version: 2 });
    const gone = deleteCar(next, later);
    expect(rentcarDeleted(gone, later).data).toEqual({
      carId: 'car_1',
      hostId: 'h1',
      city: 'Jeju',
      version: 3,
      occurredAt: later.toISOString(),
    });
  });

  it('when the car of a reservation is reserved then released, then versions 1 then 2', () => {
    const stay = { carId: 'car_1', reservationId: 'res-1', guestId: 'g', checkIn: '2030-02-01', checkOut: '2030-02-03' };
    expect(rentcarReserved(stay, NOW)).toEqual({ type: 'RentcarReserved', data: { ...stay, version: 1, occurredAt: NOW.toISOString() } });
    expect(rentcarReleased(stay, NOW).data).toMatchObject({ version: 2, reservationId: 'res-1' });
  });
});
