import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { connectWithin, createDataSource, dialectOf, migrate } from '../../services/message/src/adapters/typeorm/dataSource';
import { TypeormMessageStore } from '../../services/message/src/adapters/typeorm/typeormMessageStore';
import { messageStoreContract } from '../../services/message/test/support/messageStoreContract';
import { unique } from '../support/api';

// The MessageStore contract that services/message/test/messages.test.ts runs against the in-memory
// store, here against the real thing: TypeormMessageStore on the database the running message
// service uses (MariaDB, or PostgreSQL on a profile with "viewDb": "postgres") — unique
// (reservationId, type) under concurrent creates, creation order, the delivery state. Every row
// has a run-unique reservation and recipient, so nothing is reset.

/** MESSAGE_DB_URL as the launcher gives it to message on this run's profile (scripts/lib/system.mjs `findApp`). */
function messageDbUrl(): string {
  const url = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const { findApp } = await import('./scripts/lib/system.mjs'); process.stdout.write(String(findApp('message').env.MESSAGE_DB_URL ?? ''))",
    ],
    { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8', env: process.env },
  );
  if (url === '') throw new Error('no MESSAGE_DB_URL for message in dapr.yaml');
  return url;
}

const url = messageDbUrl();
const db = createDataSource(url);
const store = new TypeormMessageStore(db);

beforeAll(async () => {
  await connectWithin(db, 30000);
  await migrate(db);
});
afterAll(async () => {
  if (db.isInitialized) await db.destroy();
});

describe(`TypeormMessageStore on ${dialectOf(url)} keeps the MessageStore contract`, () => {
  messageStoreContract(
    async () => store,
    (name) => unique(`msc-${name}`),
  );
});
