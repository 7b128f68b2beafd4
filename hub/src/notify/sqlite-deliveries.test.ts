import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { incidentMigrations } from '../incidents/migrations.ts';
import { migrate, openDatabase } from '../state/db.ts';
import { deliveryStoreContract } from './delivery-contract.ts';
import { SqliteDeliveryStore } from './sqlite-deliveries.ts';

deliveryStoreContract('SQLite (a real file, the hub migrations)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-delivery-store-'));
  const db = openDatabase(join(dir, 'state.db'));
  migrate(db, 'incidents', incidentMigrations);
  return {
    store: new SqliteDeliveryStore(db),
    async close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
