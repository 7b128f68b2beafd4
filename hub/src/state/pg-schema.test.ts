import { expect, it } from 'vitest';
import { postgresForFile } from '../../../tests/support/postgres.ts';
import { dutyMigrations } from '../duty/migrations.ts';
import { dutyPgMigrations } from '../duty/pg-migrations.ts';
import { incidentMigrations } from '../incidents/migrations.ts';
import { incidentPgMigrations } from '../incidents/pg-migrations.ts';
import { ingestMigrations } from '../ingest/migrations.ts';
import { ingestPgMigrations } from '../ingest/pg-migrations.ts';
import { registryMigrations } from '../registry/migrations.ts';
import { registryPgMigrations } from '../registry/pg-migrations.ts';
import { migrate, openDatabase } from './db.ts';
import { openPgState, pgMigrate } from './pg-db.ts';

/**
 * Each module's PostgreSQL migrations must reach the shape its SQLite migrations reach: the same
 * tables, columns, NOT NULLs and index names. A SQLite migration appended without its PostgreSQL
 * twin fails here, before any query meets the missing column.
 */
const MODULES: { module: string; sqlite: readonly string[]; pg: readonly string[]; sqliteOnly?: string[] }[] =
  [
    // duty_summaries: written by the daily-summary job straight on SQLite; no port uses it yet
    {
      module: 'incidents',
      sqlite: incidentMigrations,
      pg: incidentPgMigrations,
      sqliteOnly: ['duty_summaries'],
    },
    { module: 'registry', sqlite: registryMigrations, pg: registryPgMigrations },
    { module: 'duty', sqlite: dutyMigrations, pg: dutyPgMigrations },
    { module: 'ingest', sqlite: ingestMigrations, pg: ingestPgMigrations },
  ];

const pg = postgresForFile();

type Shape = Record<string, { columns: Record<string, { notNull: boolean }>; indexes: string[] }>;

function sqliteShape(migrations: readonly string[], module: string): Shape {
  const db = openDatabase(':memory:');
  try {
    migrate(db, module, migrations);
    const shape: Shape = {};
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations'")
      .pluck()
      .all() as string[];
    for (const t of tables) {
      const cols = db.prepare(`PRAGMA table_info(${t})`).all() as {
        name: string;
        notnull: number;
        pk: number;
      }[];
      const indexes = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
        .pluck()
        .all(t) as string[];
      shape[t] = {
        // a primary key column is NOT NULL on PostgreSQL whatever SQLite's table_info says
        columns: Object.fromEntries(cols.map((c) => [c.name, { notNull: c.notnull === 1 || c.pk > 0 }])),
        indexes: indexes.sort(),
      };
    }
    return shape;
  } finally {
    db.close();
  }
}

async function pgShape(migrations: readonly string[], module: string): Promise<Shape> {
  const { config, schema } = await pg.schema();
  const state = openPgState({ connection: config });
  try {
    await pgMigrate(state.db, module, migrations);
    const cols = (await state.db
      .withSchema('information_schema')
      .selectFrom('columns')
      .select(['table_name', 'column_name', 'is_nullable'])
      .where('table_schema', '=', schema)
      .where('table_name', '<>', 'schema_migrations')
      .execute()) as { table_name: string; column_name: string; is_nullable: string }[];
    const indexes = (await state.db
      .withSchema('pg_catalog')
      .selectFrom('pg_indexes')
      .select(['tablename', 'indexname'])
      .where('schemaname', '=', schema)
      .execute()) as { tablename: string; indexname: string }[];
    // PostgreSQL names the indexes behind PRIMARY KEY and UNIQUE constraints; SQLite's are implicit
    const constraints = new Set(
      (
        (await state.db
          .withSchema('information_schema')
          .selectFrom('table_constraints')
          .select('constraint_name')
          .where('table_schema', '=', schema)
          .where('constraint_type', 'in', ['PRIMARY KEY', 'UNIQUE'])
          .execute()) as { constraint_name: string }[]
      ).map((c) => c.constraint_name),
    );
    const shape: Shape = {};
    for (const c of cols) {
      shape[c.table_name] ??= { columns: {}, indexes: [] };
      shape[c.table_name]!.columns[c.column_name] = { notNull: c.is_nullable === 'NO' };
    }
    for (const i of indexes) {
      if (constraints.has(i.indexname)) continue;
      shape[i.tablename]!.indexes.push(i.indexname);
    }
    for (const t of Object.values(shape)) t.indexes.sort();
    return shape;
  } finally {
    await state.close();
  }
}

it.each(MODULES)(
  '$module: the PostgreSQL migrations reach the SQLite tables, columns and indexes',
  async (m) => {
    const lite = sqliteShape(m.sqlite, m.module);
    for (const t of m.sqliteOnly ?? []) delete lite[t];
    expect(await pgShape(m.pg, m.module)).toEqual(lite);
  },
);
