import { afterAll, beforeAll } from 'vitest';
import { type PostgresHandle, startPostgres } from '../../../tests/support/postgres.ts';
import { openPgState } from '../state/pg-db.ts';
import { PgRegistryStore } from './pg-store.ts';
import { registryStoreContract } from './store-contract.ts';

// One PostgreSQL server for this file, one database, a fresh schema (migrated by open) per case.
let server: PostgresHandle;
let database: string;
beforeAll(async () => {
  server = await startPostgres();
  database = await server.createDatabase();
});
afterAll(async () => {
  await server?.stop();
});

registryStoreContract('PostgreSQL (Debian postgresql, the PostgreSQL migrations)', async () => {
  const { config } = await server.createSchema(database);
  const state = openPgState({ connection: config });
  return { store: await PgRegistryStore.open(state.db), close: () => state.close() };
});
