import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase, otherWriterWatch } from './db.ts';

describe('otherWriterWatch', () => {
  let dir: string;
  let db: Db;
  let cli: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sl-db-'));
    db = openDatabase(join(dir, 'state.db'));
    db.exec('CREATE TABLE t (x INTEGER)');
    cli = openDatabase(join(dir, 'state.db'));
  });
  afterEach(() => {
    cli.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers true first, then only after another connection's commit, seen from the next turn", async () => {
    const othersWrote = otherWriterWatch(db);
    expect(othersWrote()).toBe(true);
    expect(othersWrote()).toBe(false);
    await Promise.resolve();
    expect(othersWrote()).toBe(false); // nobody wrote
    await Promise.resolve();
    cli.prepare('INSERT INTO t VALUES (1)').run();
    expect(othersWrote()).toBe(true);
    // within one synchronous run it looks once: a commit in between waits for the next turn
    cli.prepare('INSERT INTO t VALUES (2)').run();
    expect(othersWrote()).toBe(false);
    await Promise.resolve();
    expect(othersWrote()).toBe(true);
    await Promise.resolve();
    db.prepare('INSERT INTO t VALUES (3)').run(); // its own connection's writes are not "others"
    expect(othersWrote()).toBe(false);
  });
});
