import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openDatabase } from '../state/db.ts';
import { incidentMigrations } from './migrations.ts';
import { SqliteIncidentStore } from './sqlite-store.ts';
import { incidentStoreContract } from './store-contract.ts';

incidentStoreContract('SQLite (a real file, the hub migrations)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-incident-store-'));
  const db = openDatabase(join(dir, 'state.db'));
  migrate(db, 'incidents', incidentMigrations);
  return {
    store: new SqliteIncidentStore(db),
    async close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
