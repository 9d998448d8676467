import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { parse } from 'yaml';
import { connectWithin, createDataSource, migrate } from '../../services/viewpage/src/adapters/mysql/dataSource';
import { TypeormViewStore } from '../../services/viewpage/src/adapters/mysql/typeormViewStore';
import { viewStoreContract } from '../../services/viewpage/test/support/viewStoreContract';
import { unique } from '../support/api';

// The ViewStore contract that services/viewpage/test/viewStore.contract.test.ts runs against the
// in-process fake, here against the real thing: TypeormViewStore on the MariaDB the running
// viewpage reads. Every row has a run-unique id and every list is scoped to a run-unique city or
// host, so nothing is reset and the live view keeps its rows.

/** VIEW_DB_URL as the launcher gives it to viewpage: dapr.yaml's `common.env` and the app's `env` (scripts/lib/system.mjs). */
function viewDbUrl(): string {
  const run = parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'dapr.yaml'), 'utf8')) as {
    common?: { env?: Record<string, unknown> };
    apps: Array<{ appID: string; env?: Record<string, unknown> }>;
  };
  const app = run.apps.find((a) => a.appID === 'viewpage');
  const url = { ...run.common?.env, ...app?.env }.VIEW_DB_URL ?? process.env.VIEW_DB_URL;
  if (url === undefined) throw new Error('no VIEW_DB_URL for viewpage in dapr.yaml or the environment');
  return String(url);
}

const db = createDataSource(viewDbUrl());
const store = new TypeormViewStore(db, pino({ level: 'silent' }));

beforeAll(async () => {
  await connectWithin(db, 30000);
  await migrate(db);
});
afterAll(async () => {
  if (db.isInitialized) await db.destroy();
});

describe('TypeormViewStore on MariaDB keeps the ViewStore contract', () => {
  viewStoreContract(
    () => store,
    (name) => unique(`vsc-${name}`),
  );
});
