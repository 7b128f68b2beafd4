import type { Statement } from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import type { Db } from './db.ts';

export type Row = Record<string, unknown>;

/**
 * Runs compiled queries (state/sql.ts) on the hub's one better-sqlite3 connection, each SQL text
 * prepared once. Synchronous: the SQLite adapters wrap a run of these in `db.transaction` where
 * writes must be all or nothing.
 */
export class SqliteRunner {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Db) {}

  stmt(c: CompiledQuery): Statement {
    let s = this.statements.get(c.sql);
    if (!s) {
      s = this.db.prepare(c.sql);
      this.statements.set(c.sql, s);
    }
    return s;
  }
  all(c: CompiledQuery): Row[] {
    return this.stmt(c).all(...c.parameters) as Row[];
  }
  one(c: CompiledQuery): Row | undefined {
    return this.stmt(c).get(...c.parameters) as Row | undefined;
  }
  /** Runs a write; returns how many rows it changed. */
  run(c: CompiledQuery): number {
    return this.stmt(c).run(...c.parameters).changes;
  }
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
