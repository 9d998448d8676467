import type { CarKeys } from '../ports';

/** Rentcar's state keys: readable, one aggregate each (Dapr prefixes them with the app id). */
export const carKeys: CarKeys = {
  car: (carId) => `car:${carId}`,
  calendar: (carId) => `calendar:${carId}`,
};
