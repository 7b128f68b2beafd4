import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../state/db.ts';
import { inboxStoreContract } from './inbox-contract.ts';
import { SqliteInboxStore } from './sqlite-inbox.ts';

inboxStoreContract('SQLite (a real file, the hub migrations)', async (o) => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-inbox-store-'));
  const db = openDatabase(join(dir, 'state.db'));
  return {
    store: new SqliteInboxStore(db, o),
    async close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
