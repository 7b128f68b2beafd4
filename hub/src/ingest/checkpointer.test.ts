import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { openDatabase } from '../state/db.ts';
import { Checkpointer } from './checkpointer.ts';

describe('Checkpointer', () => {
  it('copies committed pages into the database file from a worker thread, the writer never checkpointing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steppelink-ckpt-'));
    const path = join(dir, 'state.db');
    const db = openDatabase(path);
    const c = new Checkpointer(db, path, silentLogger(), { intervalMs: 20 });
    c.start();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(16_384);
    db.exec('CREATE TABLE fixes (id INTEGER PRIMARY KEY, note TEXT)');
    const before = statSync(path).size;
    const insert = db.prepare('INSERT INTO fixes (note) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2_000; i++) insert.run(`patrol fix ${i} along the Chaogewenduer border road`);
    })();
    while (statSync(path).size <= before) await new Promise((r) => setTimeout(r, 20));
    await c.close();
    expect(c.errors).toBe(0);
    expect(db.prepare('SELECT count(*) FROM fixes').pluck().get()).toBe(2_000);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
