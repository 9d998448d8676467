import type { DomainEvent } from '@staycar/common';

/** A rental car as API.md shows it. */
export interface Car {
  id: string;
  hostId: string;
  model: string;
  city: string;
  pricePerDay: number;
  currency: string;
  seats: number;
  createdAt: string;
  updatedAt: string;
}

/** What is stored under `car:<id>`: the car, its event version, and a tombstone mark once deleted. */
export interface CarRecord {
  car: Car;
  version: number;
  deletedAt: string | null;
}

export interface NewCar {
  hostId: string;
  model: string;
  city: string;
  pricePerDay: number;
  currency?: string;
  seats?: number;
}

export type CarPatch = Partial<Pick<Car, 'model' | 'city' | 'pricePerDay' | 'seats'>>;

export const DEFAULT_CURRENCY = 'KRW';
export const DEFAULT_SEATS = 4;

export function registerCar(id: string, input: NewCar, now: Date): CarRecord {
  const at = now.toISOString();
  return {
    car: {
      id,
      hostId: input.hostId,
      model: input.model,
      city: input.city,
      pricePerDay: input.pricePerDay,
      currency: input.currency ?? DEFAULT_CURRENCY,
      seats: input.seats ?? DEFAULT_SEATS,
      createdAt: at,
      updatedAt: at,
    },
    version: 1,
    deletedAt: null,
  };
}

/** Applies only the fields the patch names; anything else keeps its value. */
export function modifyCar(record: CarRecord, patch: CarPatch, now: Date): CarRecord {
  const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as CarPatch;
  return { ...record, car: { ...record.car, ...changes, updatedAt: now.toISOString() }, version: record.version + 1 };
}

export const deleteCar = (record: CarRecord, now: Date): CarRecord => ({
  ...record,
  version: record.version + 1,
  deletedAt: now.toISOString(),
});

export const isLive = (record: CarRecord | undefined): record is CarRecord => record !== undefined && record.deletedAt === null;

// ---- events (docs/contracts.md) ----------------------------------------------------------------

const snapshot = ({ id, ...rest }: Car) => ({ carId: id, ...rest });

export const rentcarRegistered = (record: CarRecord, now: Date): DomainEvent => ({
  type: 'RentcarRegistered',
  data: { ...snapshot(record.car), version: record.version, occurredAt: now.toISOString() },
});

export const rentcarModified = (record: CarRecord, now: Date): DomainEvent => ({
  type: 'RentcarModified',
  data: { ...snapshot(record.car), version: record.version, occurredAt: now.toISOString() },
});

export const rentcarDeleted = (record: CarRecord, now: Date): DomainEvent => ({
  type: 'RentcarDeleted',
  data: { carId: record.car.id, hostId: record.car.hostId, city: record.car.city, version: record.version, occurredAt: now.toISOString() },
});

export interface CarStay {
  carId: string;
  reservationId: string;
  guestId: string;
  checkIn: string;
  checkOut: string;
}

/**
 * The car's part of one reservation is its own small aggregate for consumers: `version` 1 when it
 * is reserved (the hold became a booking), 2 when it is released (cancelled). Each is published
 * once per reservation, on the calendar write that makes the transition.
 */
export const rentcarReserved = (stay: CarStay, now: Date): DomainEvent => ({
  type: 'RentcarReserved',
  data: { ...stay, version: 1, occurredAt: now.toISOString() },
});

export const rentcarReleased = (stay: CarStay, now: Date): DomainEvent => ({
  type: 'RentcarReleased',
  data: { ...stay, version: 2, occurredAt: now.toISOString() },
});
