export type { StatePort } from '@staycar/common';

/** State keys (Dapr prefixes them with the app id). */
export const keys = {
  car: (carId: string) => `car:${carId}`,
  calendar: (carId: string) => `calendar:${carId}`,
};
