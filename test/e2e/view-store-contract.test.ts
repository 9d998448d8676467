import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { connectWithin, createDataSource, dialectOf, migrate } from '../../services/viewpage/src/adapters/mysql/dataSource';
import { TypeormViewStore } from '../../services/viewpage/src/adapters/mysql/typeormViewStore';
import { viewStoreContract } from '../../services/viewpage/test/support/viewStoreContract';
import { TypeormRoomSearch } from '../../services/viewpage/src/adapters/mysql/roomSearch';
import { roomSearchContract } from '../../services/viewpage/test/support/roomSearchContract';
import { unique } from '../support/api';

// The ViewStore contract that services/viewpage/test/viewStore.contract.test.ts runs against the
// in-process fake, here against the real thing: TypeormViewStore on the database the running
// viewpage reads (MariaDB, or PostgreSQL on a profile with "viewDb": "postgres"). Every row has a
// run-unique id and every list is scoped to a run-unique city or host, so nothing is reset and the
// live view keeps its rows.

/**
 * VIEW_DB_URL as the launcher gives it to viewpage on this run's profile (STAYCAR_PROFILE):
 * dapr.yaml's `common.env` and the app's `env`, the profile's view database
 * (scripts/lib/system.mjs `findApp`, asked in a child process: it is an ES module).
 */
function viewDbUrl(): string {
  const url = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const { findApp } = await import('./scripts/lib/system.mjs'); process.stdout.write(String(findApp('viewpage').env.VIEW_DB_URL ?? ''))",
    ],
    { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8', env: process.env },
  );
  if (url === '') throw new Error('no VIEW_DB_URL for viewpage in dapr.yaml');
  return url;
}

const url = viewDbUrl();
const db = createDataSource(url);
const store = new TypeormViewStore(db, pino({ level: 'silent' }));

beforeAll(async () => {
  await connectWithin(db, 30000);
  await migrate(db);
});
afterAll(async () => {
  if (db.isInitialized) await db.destroy();
});

describe(`TypeormViewStore on ${dialectOf(url)} keeps the ViewStore contract`, () => {
  viewStoreContract(
    () => store,
    (name) => unique(`vsc-${name}`),
  );
});

describe(`TypeormRoomSearch on ${dialectOf(url)} keeps the RoomSearchStore contract`, () => {
  const search = new TypeormRoomSearch(db);
  roomSearchContract(
    () => ({ view: store, search }),
    (name) => unique(`rsc-${name}`),
  );
});
