import { postgresForFile } from '../../../tests/support/postgres.ts';
import { openPgState } from '../state/pg-db.ts';
import { PgRegistryStore } from './pg-store.ts';
import { registryStoreContract } from './store-contract.ts';

// One PostgreSQL server for this file, a fresh schema (migrated by open) per case.
const pg = postgresForFile();

registryStoreContract('PostgreSQL (Debian postgresql, the PostgreSQL migrations)', async () => {
  const state = openPgState({ connection: (await pg.schema()).config });
  return { store: await PgRegistryStore.open(state.db), close: () => state.close() };
});
