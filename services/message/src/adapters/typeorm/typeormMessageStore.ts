import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, Repository } from 'typeorm';
import type { StoredMessage } from '../../domain/messages';
import type { ListedMessage, MessageScope, MessageStore } from '../../ports';
import { MessageEntity } from './entity';

/** A row that already exists: MariaDB's ER_DUP_ENTRY, PostgreSQL's unique_violation. */
const DUPLICATE = new Set(['ER_DUP_ENTRY', '23505']);
/** Lost a lock, not a decision (deadlock, lock wait, serialization): the same statement again is safe. */
const TRANSIENT = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', '40P01', '55P03', '40001']);
const ATTEMPTS = 3;

const codeOf = (error: unknown): string | undefined =>
  (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;

/** Runs a statement, once more (with jitter) when it lost a lock; other errors are thrown. */
async function transient<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= ATTEMPTS || !TRANSIENT.has(codeOf(error) ?? '')) throw error;
      await sleep(10 + Math.random() * 40 * attempt);
    }
  }
}

function stored(row: MessageEntity): StoredMessage {
  const { id, reservationId, recipientId, type, text, createdAt, delivery, deliveredAt, stay } = row;
  return {
    id,
    reservationId,
    recipientId,
    type,
    text,
    createdAt,
    delivery,
    ...(deliveredAt === null ? {} : { deliveredAt }),
    ...(stay === null ? {} : { stay }),
  };
}

/** Messages in their own table (MySQL/MariaDB or PostgreSQL, one statement per method). */
export class TypeormMessageStore implements MessageStore {
  private readonly rows: Repository<MessageEntity>;

  constructor(private readonly db: DataSource) {
    this.rows = db.getRepository(MessageEntity);
  }

  async ofReservation(reservationId: string): Promise<StoredMessage[]> {
    const rows = await transient(() => this.rows.find({ where: { reservationId }, order: { seq: 'ASC' } }));
    return rows.map(stored);
  }

  async create(message: StoredMessage): Promise<boolean> {
    const row: Omit<MessageEntity, 'seq'> = {
      ...message,
      deliveredAt: message.deliveredAt ?? null,
      stay: message.stay ?? null,
    };
    try {
      await transient(() => this.rows.insert(row));
      return true;
    } catch (error) {
      if (DUPLICATE.has(codeOf(error) ?? '')) return false;
      throw error;
    }
  }

  async markSent(id: string, deliveredAt: string): Promise<void> {
    await transient(() =>
      this.rows
        .createQueryBuilder()
        .update()
        .set({ delivery: 'sent', deliveredAt })
        .where('id = :id AND delivery <> :sent', { id, sent: 'sent' })
        .execute(),
    );
  }

  async undelivered(limit: number): Promise<StoredMessage[]> {
    const rows = await transient(() => this.rows.find({ where: { delivery: 'undelivered' }, order: { seq: 'ASC' }, take: limit }));
    return rows.map(stored);
  }

  async list(scope: MessageScope, after: number | undefined, limit: number): Promise<ListedMessage[]> {
    const query = this.rows.createQueryBuilder('m');
    if (scope.reservationId !== undefined) query.where('m.reservationId = :reservationId', { reservationId: scope.reservationId });
    if (scope.recipientId !== undefined) query.andWhere('m.recipientId = :recipientId', { recipientId: scope.recipientId });
    if (after !== undefined) query.andWhere('m.seq > :after', { after });
    const rows = await transient(() => query.orderBy('m.seq', 'ASC').limit(limit).getMany());
    return rows.map((row) => ({ ...stored(row), position: Number(row.seq) }));
  }

  async isHealthy(): Promise<boolean> {
    try {
      await this.db.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}
