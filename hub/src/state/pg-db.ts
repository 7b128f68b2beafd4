import { type CompiledQuery, Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';

/**
 * The hub's state on PostgreSQL (issue #26): a node-postgres pool under Kysely's PostgresDialect,
 * shared by every PostgreSQL store adapter (hub/src/**\/pg-store.ts). The adapters run the same
 * queries as the SQLite ones (compiled from one Kysely builder per port, see incidents/store-sql.ts)
 * through `executeQuery`.
 *
 * Type mapping, so the shared row mappers read the same JavaScript values on both engines:
 * - times in ms and ids are BIGINT (int8): node-postgres gives int8 as a string by default (it may
 *   exceed 2^53); here it is parsed to a number, as better-sqlite3 gives it. Epoch ms and row ids
 *   stay far below 2^53. COUNT(*) and MIN() of a BIGINT are int8 too.
 * - REAL is DOUBLE PRECISION (float8, a number either way); JSON stays TEXT, parsed by the row
 *   mappers as on SQLite (no query looks inside it yet; jsonb is for when one does).
 */
export type PgDb = Kysely<Record<string, Record<string, unknown>>>;
export type PgTx = Transaction<Record<string, Record<string, unknown>>>;
export type PgExecutor = PgDb | PgTx;

const INT8 = 20;
const parseInt8 = (v: string) => Number(v);

export interface PgStateOptions {
  /** node-postgres pool settings: host, port, user, database, options (search_path)... */
  connection: pg.PoolConfig;
  /** connections in the pool; a commit holds one for its transaction */
  maxConnections?: number;
}

const defaults = {
  maxConnections: 10, // PostgreSQL's default max_connections is 100, shared by every hub
} satisfies Partial<PgStateOptions>;

export interface PgState {
  db: PgDb;
  close(): Promise<void>;
}

/** A pool on the hub's PostgreSQL database, int8 read as numbers (see above). Close it with `close()`. */
export function openPgState(options: PgStateOptions): PgState {
  const o = { ...defaults, ...options };
  const pool = new pg.Pool({
    max: o.maxConnections,
    ...o.connection,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 && format !== 'binary'
          ? parseInt8
          : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
    },
  });
  // an idle client whose server went away emits 'error' on the pool; the next query reconnects
  pool.on('error', () => {});
  const db: PgDb = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return { db, close: () => db.destroy() };
}

export type Row = Record<string, unknown>;

/**
 * PostgreSQL's TEXT cannot hold U+0000, which SQLite's can and which free text (an operator's
 * note, a device's details) may carry. Strings go in with U+0000 written as U+FFFF '0' and U+FFFF
 * as U+FFFF '1' (a noncharacter, never interchanged text), and come back decoded, so every string
 * round-trips and equality on an encoded parameter still matches. JSON columns never hold a raw
 * U+0000 (JSON.stringify escapes it). Strings without either character are passed as they are.
 */
const NUL = String.fromCharCode(0);
const ESC = '\uffff';
const needsEncoding = (s: string) => s.includes(NUL) || s.includes(ESC);
export function encodeText(s: string): string {
  return needsEncoding(s) ? s.replaceAll(ESC, `${ESC}1`).replaceAll(NUL, `${ESC}0`) : s;
}
export function decodeText(s: string): string {
  return s.includes(ESC) ? s.replace(/\uffff([01])/g, (_, d: string) => (d === '0' ? NUL : ESC)) : s;
}
function encodeQuery(c: CompiledQuery): CompiledQuery {
  if (!c.parameters.some((p) => typeof p === 'string' && needsEncoding(p))) return c;
  return { ...c, parameters: c.parameters.map((p) => (typeof p === 'string' ? encodeText(p) : p)) };
}
function decodeRows(rows: Row[]): Row[] {
  for (const r of rows) {
    for (const k in r) {
      const v = r[k];
      if (typeof v === 'string' && v.includes(ESC)) r[k] = decodeText(v);
    }
  }
  return rows;
}

/**
 * Runs compiled queries (state/sql.ts, compiled for 'postgres') on the pool, or inside one
 * transaction (`transaction`): the PostgreSQL twin of state/sqlite-run.ts, but asynchronous, and
 * with strings encoded as above.
 */
export class PgRunner {
  constructor(readonly ex: PgExecutor) {}

  async all(c: CompiledQuery): Promise<Row[]> {
    return decodeRows((await this.ex.executeQuery<Row>(encodeQuery(c))).rows);
  }
  async one(c: CompiledQuery): Promise<Row | undefined> {
    return (await this.all(c))[0];
  }
  /** Runs a write; returns how many rows it changed. */
  async run(c: CompiledQuery): Promise<number> {
    return Number((await this.ex.executeQuery(encodeQuery(c))).numAffectedRows ?? 0);
  }
  /**
   * Runs `fn` in one transaction on one pooled connection (READ COMMITTED): committed when it
   * resolves, rolled back when it throws. Adapters make it safe at that level with compare-and-set
   * writes and `ON CONFLICT DO NOTHING` inserts whose "no row" means "taken by another writer".
   * Inside a transaction already, `fn` joins it.
   */
  transaction<T>(fn: (tx: PgRunner) => Promise<T>): Promise<T> {
    if (this.ex.isTransaction) return fn(this);
    return (this.ex as PgDb).transaction().execute((tx) => fn(new PgRunner(tx)));
  }
}

/** The SQLSTATE of a PostgreSQL error (e.g. 23505 unique_violation), if it is one. */
export function pgCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
export const UNIQUE_VIOLATION = '23505';

/**
 * Applies a module's PostgreSQL migrations in order, once each, like state/db.ts's `migrate` on
 * SQLite (same `schema_migrations` table, same numbering per module, append only). A module's
 * pending migrations and their records are one transaction (PostgreSQL's DDL is transactional:
 * all or none), under an advisory lock so hubs starting together do not apply one twice.
 */
export async function pgMigrate(db: PgDb, module: string, migrations: readonly string[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    // one migrator at a time across hubs (the key is arbitrary, the same for every module)
    await sql`SELECT pg_advisory_xact_lock(2026120726)`.execute(tx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
      module TEXT NOT NULL, version INTEGER NOT NULL, applied_at BIGINT NOT NULL,
      PRIMARY KEY (module, version))`.execute(tx);
    const done = new Set(
      (
        await sql<{
          version: number;
        }>`SELECT version FROM schema_migrations WHERE module = ${module}`.execute(tx)
      ).rows.map((r) => r.version),
    );
    for (const [i, text] of migrations.entries()) {
      const version = i + 1;
      if (done.has(version)) continue;
      await sql.raw(text).execute(tx);
      await sql`INSERT INTO schema_migrations (module, version, applied_at) VALUES (${module}, ${version}, ${Date.now()})`.execute(
        tx,
      );
    }
  });
}
