import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../state/db.ts';
import { SqliteRegistryStore } from './sqlite-store.ts';
import { registryStoreContract } from './store-contract.ts';

registryStoreContract('SQLite (a real file, the hub migrations)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-registry-store-'));
  const db = openDatabase(join(dir, 'state.db'));
  return {
    store: new SqliteRegistryStore(db),
    async close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
