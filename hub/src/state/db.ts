import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens the hub's state database (registry, accepted-message inbox, incidents, notices...).
 * WAL + synchronous=NORMAL: a commit survives a process crash (SIGKILL) at once; only an OS
 * crash or power cut can lose the last commits before a checkpoint. That is the trade the
 * ingest path's group commit relies on.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000'); // the CLI may write while the hub runs
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL, version INTEGER NOT NULL, applied_at INTEGER NOT NULL,
    PRIMARY KEY (module, version))`);
  return db;
}

/**
 * For caches of tables another connection may write (the CLI while the hub runs): the returned
 * function says whether anyone else committed since it last answered (SQLite's data_version: a
 * prepared PRAGMA, but one that opens a read transaction, 5-10 µs). It answers true the first
 * time. It looks once per run of synchronous code: an SOS takes five registry and roster
 * lookups in one go, and another process's commit is seen from the next turn of the event loop.
 */
export function otherWriterWatch(db: Db): () => boolean {
  const version = db.prepare('PRAGMA data_version').pluck();
  let seen = -1;
  let looked = false;
  const lookAgain = () => {
    looked = false;
  };
  return () => {
    if (looked) return false;
    looked = true;
    queueMicrotask(lookAgain);
    const v = version.get() as number;
    if (v === seen) return false;
    seen = v;
    return true;
  };
}

/**
 * Applies a module's migrations in order, once each. Each module (registry, ingest, incidents,
 * broadcast...) owns its tables and lists its migrations as SQL strings; append, never edit.
 */
export function migrate(db: Db, module: string, migrations: readonly string[]): void {
  const done = new Set(
    db.prepare('SELECT version FROM schema_migrations WHERE module = ?').pluck().all(module) as number[],
  );
  const record = db.prepare('INSERT INTO schema_migrations (module, version, applied_at) VALUES (?, ?, ?)');
  migrations.forEach((sql, i) => {
    const version = i + 1;
    if (done.has(version)) return;
    db.transaction(() => {
      db.exec(sql);
      record.run(module, version, Date.now());
    })();
  });
}
