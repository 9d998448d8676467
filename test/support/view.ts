import type { User } from './api';

// What the view and the messages look like through the gateway, for the e2e suites. The view of a
// room is its host's (or an operator's) to read; a reservation's messages are its guest's.

export type RoomViewRow = { status: string | null; paymentStatus: string | null; carStatus: string | null };

/** The three statuses of a reservation's row in a room view. */
export const statuses = (r: RoomViewRow | null | undefined) =>
  r && { status: r.status, paymentStatus: r.paymentStatus, carStatus: r.carStatus };

/** GET /roomviews/{roomId} as `host`; throws on anything but 200 (so `eventually` keeps polling). */
export async function roomView(host: User, roomId: string) {
  const res = await host.api('GET', `/roomviews/${roomId}`);
  if (res.status !== 200) throw new Error(`roomview ${res.status}`);
  return res.body;
}

/** The types of a reservation's messages as its guest reads them, sorted. */
export async function messageTypes(guest: User, reservationId: string): Promise<string[]> {
  const res = await guest.api('GET', `/messages?reservationId=${reservationId}`);
  if (res.status !== 200) throw new Error(`messages ${res.status}`);
  return (res.body.items as Array<{ type: string }>).map((m) => m.type).sort();
}
