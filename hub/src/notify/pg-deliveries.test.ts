import { postgresForFile } from '../../../tests/support/postgres.ts';
import { incidentPgMigrations } from '../incidents/pg-migrations.ts';
import { openPgState, pgMigrate } from '../state/pg-db.ts';
import { deliveryStoreContract } from './delivery-contract.ts';
import { PgDeliveryStore } from './pg-deliveries.ts';

// One PostgreSQL server for this file, a fresh schema per case with the incident migrations
// (they make the deliveries table, as on SQLite).
const pg = postgresForFile();

deliveryStoreContract('PostgreSQL (Debian postgresql, the PostgreSQL migrations)', async () => {
  const state = openPgState({ connection: (await pg.schema()).config });
  await pgMigrate(state.db, 'incidents', incidentPgMigrations);
  return { store: new PgDeliveryStore(state.db), close: () => state.close() };
});
