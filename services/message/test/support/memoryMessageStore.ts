import type { StoredMessage } from '../../src/domain/messages';
import type { ListedMessage, MessageScope, MessageStore } from '../../src/ports';

/**
 * The message table in memory, with the same promises as TypeormMessageStore (the contract in
 * messageStoreContract.ts runs against both): unique (reservationId, type), creation order.
 * `calls` counts operations (what a use case costs in store round trips); `failing` makes every
 * operation throw (a database that is down).
 */
export class MemoryMessageStore implements MessageStore {
  private readonly rows: ListedMessage[] = [];
  private seq = 0;
  failing = false;
  readonly calls = { ofReservation: 0, create: 0, markSent: 0, undelivered: 0, list: 0 };

  get operations(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  private async op<T>(name: keyof MemoryMessageStore['calls'], run: () => T): Promise<T> {
    this.calls[name]++;
    await Promise.resolve(); // a round trip: other work may run in between
    if (this.failing) throw new Error('message database down');
    return structuredClone(run());
  }

  ofReservation(reservationId: string): Promise<StoredMessage[]> {
    return this.op('ofReservation', () => this.rows.filter((m) => m.reservationId === reservationId).map(strip));
  }

  create(message: StoredMessage): Promise<boolean> {
    return this.op('create', () => {
      if (this.rows.some((m) => (m.reservationId === message.reservationId && m.type === message.type) || m.id === message.id))
        return false;
      this.rows.push({ ...structuredClone(message), position: ++this.seq });
      return true;
    });
  }

  markSent(id: string, deliveredAt: string): Promise<void> {
    return this.op('markSent', () => {
      const row = this.rows.find((m) => m.id === id);
      if (row && row.delivery !== 'sent') Object.assign(row, { delivery: 'sent', deliveredAt });
    });
  }

  undelivered(limit: number): Promise<StoredMessage[]> {
    return this.op('undelivered', () =>
      this.rows
        .filter((m) => m.delivery === 'undelivered')
        .slice(0, limit)
        .map(strip),
    );
  }

  list(scope: MessageScope, after: number | undefined, limit: number): Promise<ListedMessage[]> {
    return this.op('list', () =>
      this.rows
        .filter((m) => scope.reservationId === undefined || m.reservationId === scope.reservationId)
        .filter((m) => scope.recipientId === undefined || m.recipientId === scope.recipientId)
        .filter((m) => after === undefined || m.position > after)
        .slice(0, limit),
    );
  }

  async isHealthy(): Promise<boolean> {
    return !this.failing;
  }

  /** What is stored, as it is (for assertions). */
  peek(id: string): StoredMessage | undefined {
    const row = this.rows.find((m) => m.id === id);
    return row && strip(structuredClone(row));
  }
}

function strip({ position: _position, ...message }: ListedMessage): StoredMessage {
  return message;
}
