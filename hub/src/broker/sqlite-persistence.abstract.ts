/**
 * aedes-persistence's own contract suite (node_modules/aedes-persistence/abstract.js, written
 * for node:test) against SqlitePersistence, one fresh SQLite file per instance. Run it with
 * `node --import tsx --test hub/src/broker/sqlite-persistence.abstract.ts`; the vitest test
 * sqlite-persistence.test.ts does, and checks the summary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Db, openDatabase } from '../state/db.ts';
import { SqlitePersistence } from './sqlite-persistence.ts';

const require = createRequire(import.meta.url);
const abstractPersistence = require('aedes-persistence/abstract.js') as (o: {
  test: typeof test;
  persistence: () => SqlitePersistence;
  testAsync: boolean;
}) => void;

const dir = mkdtempSync(join(tmpdir(), 'steppelink-persistence-'));
const dbs: Db[] = [];
after(() => {
  for (const db of dbs) db.close();
  rmSync(dir, { recursive: true, force: true });
});

abstractPersistence({
  test,
  testAsync: true,
  persistence: () => {
    const db = openDatabase(join(dir, `state-${dbs.length}.db`));
    dbs.push(db);
    return new SqlitePersistence(db);
  },
});
