import { Listings, type ListingsDeps } from '@staycar/common';
import { CAR_RULES, type Car, type CarPatch, type CarRecord, type NewCar } from '../domain/car';
import type { RentcarPorts } from '../ports';

/** Register, get, modify (host only) and delete (host only, no rentals ahead) a car. */
export type Cars = Listings<CarRecord, Car, NewCar, CarPatch>;

export const createCars = (ports: RentcarPorts, calendar: ListingsDeps['calendar'], writeAttempts: number): Cars =>
  new Listings('car', CAR_RULES, { ...ports, key: ports.keys.car, writeAttempts, calendar });
