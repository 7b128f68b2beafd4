import {
  type Compilable,
  type CompiledQuery,
  DummyDriver,
  type ExpressionBuilder,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

/**
 * The stores' queries are written once with Kysely and compiled for either dialect: SQLite
 * (better-sqlite3 runs them synchronously, each commit one transaction) or PostgreSQL (a pool
 * runs them). Kysely is used as a typed query builder only (its DummyDriver executes nothing):
 * execution stays with each adapter, so the SQLite adapters keep the hub's one connection and its
 * synchronous transactions, with nothing interleaved inside them. Each query is compiled once,
 * with named parameters (`prepared`): compiling costs tens of µs, and an SOS runs a dozen
 * statements before its page.
 */
export type Dialect = 'sqlite' | 'postgres';

/** A Kysely instance over the tables `DB` that only builds and compiles queries for `dialect`. */
export function sqlBuilder<DB>(dialect: Dialect): Kysely<DB> {
  return new Kysely<DB>({
    dialect: {
      createAdapter: () => (dialect === 'sqlite' ? new SqliteAdapter() : new PostgresAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) =>
        dialect === 'sqlite' ? new SqliteIntrospector(db) : new PostgresIntrospector(db),
      createQueryCompiler: () =>
        dialect === 'sqlite' ? new SqliteQueryCompiler() : new PostgresQueryCompiler(),
    },
  });
}

/** A query compiled once: its SQL, and its parameters from named arguments (and the constants it holds). */
export interface Prepared<N extends string> {
  sql: string;
  bind(args: Readonly<Record<N, unknown>>): CompiledQuery;
}

const SENTINEL = '\u0000:';

/**
 * Compiles `build` once with a marker for every named parameter, and remembers where each one
 * lands among the compiled parameters (the others are constants of the query). `build` must use
 * the parameters only as values (no arithmetic or formatting on them).
 */
export function prepared<N extends string>(
  names: readonly N[],
  build: (p: Readonly<Record<N, never>>) => Compilable,
): Prepared<N> {
  const markers = Object.fromEntries(names.map((n) => [n, `${SENTINEL}${n}`])) as unknown as Record<N, never>;
  const compiled = build(markers).compile();
  const slots: ({ name: N } | { value: unknown })[] = compiled.parameters.map((v) =>
    typeof v === 'string' && v.startsWith(SENTINEL) ? { name: v.slice(SENTINEL.length) as N } : { value: v },
  );
  const missing = names.filter((n) => !slots.some((s) => 'name' in s && s.name === n));
  if (missing.length > 0)
    throw new Error(`prepared query does not use ${missing.join(', ')}: ${compiled.sql}`);
  return {
    sql: compiled.sql,
    bind: (args) => ({
      ...compiled,
      parameters: slots.map((s) => ('name' in s ? (args[s.name] ?? null) : s.value)),
    }),
  };
}

/**
 * The SET of an upsert (`ON CONFLICT … DO UPDATE SET c = excluded.c` for each of `columns`), the
 * same in both dialects.
 */
export const fromExcluded =
  (columns: readonly string[]) =>
  // biome-ignore lint/suspicious/noExplicitAny: column names are checked by the table types of the insert
  (eb: ExpressionBuilder<any, any>): Record<string, never> =>
    Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)])) as Record<string, never>;

/** `build` for a dialect, made once per process (a store's compiled queries). */
export function perDialect<T>(build: (dialect: Dialect) => T): (dialect: Dialect) => T {
  const made = new Map<Dialect, T>();
  return (dialect) => {
    let v = made.get(dialect);
    if (v === undefined) {
      v = build(dialect);
      made.set(dialect, v);
    }
    return v;
  };
}
