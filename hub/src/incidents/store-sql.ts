import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { Incident } from './store.ts';
import { incidentParams } from './store.ts';
import type { DeliveryInsert, PageInsert, TimelineLine } from './store-port.ts';

/**
 * The incident store's queries, written once with Kysely and compiled for either dialect:
 * SQLite (better-sqlite3 runs them synchronously, each commit one transaction) or PostgreSQL
 * (a pool runs them). Kysely is used as a typed query builder only (its DummyDriver executes
 * nothing): execution stays with the adapter, so the SQLite adapter keeps the hub's one
 * connection and its synchronous transactions, with nothing interleaved inside them.
 */

type Nullable<T> = T | null;

export interface IncidentsTable {
  id: string;
  key: string;
  source: string;
  category: string;
  severity: string;
  state: string;
  unit: string;
  household: Nullable<string>;
  device: Nullable<string>;
  reporter: Nullable<string>;
  sos_id: Nullable<string>;
  presses: number;
  last_press_at: Nullable<number>;
  source_ts: number;
  opened_at: number;
  late_ms: number;
  summary: string;
  details: Nullable<string>;
  pos_lat: Nullable<number>;
  pos_lon: Nullable<number>;
  pos_acc: Nullable<number>;
  pos_at: Nullable<number>;
  chain: string;
  also_notify: Nullable<string>;
  level: number;
  level_at: Nullable<number>;
  reminder: number;
  next_at: Nullable<number>;
  next_action: Nullable<string>;
  escalations: number;
  top_reminders: number;
  ack_by: Nullable<string>;
  ack_at: Nullable<number>;
  dispatched_at: Nullable<number>;
  rescue: Nullable<string>;
  closed_at: Nullable<number>;
  updated_at: number;
  version: number;
}

export interface IncidentDb {
  incidents: IncidentsTable;
  incident_events: {
    id?: number;
    incident_id: string;
    at: number;
    type: string;
    state: Nullable<string>;
    actor: Nullable<string>;
    actor_name: Nullable<string>;
    actor_role: Nullable<string>;
    level: Nullable<number>;
    note: Nullable<string>;
    data: Nullable<string>;
  };
  incident_positions: { incident_id: string; t: number; lat: number; lon: number; acc: Nullable<number> };
  incident_messages: { source: string; msg_id: string; incident_id: Nullable<string>; at: number };
  pages: {
    incident_id: string;
    level: number;
    reminder: number;
    kind: string;
    at: number;
    ack_by_at: Nullable<number>;
    people: string;
  };
  deliveries: {
    id?: number;
    key: string;
    incident_id: Nullable<string>;
    level: Nullable<number>;
    reminder: Nullable<number>;
    kind: string;
    person: Nullable<string>;
    device: Nullable<string>;
    channel: string;
    payload: string;
    status: string;
    attempts: number;
    next_try_at: Nullable<number>;
    last_error?: Nullable<string>;
    created_at: number;
    updated_at: number;
    wire_id: Nullable<string>;
    after_key: Nullable<string>;
    delivered_at: Nullable<number>;
  };
}

export type Dialect = 'sqlite' | 'postgres';

/** A Kysely instance that only builds and compiles queries for `dialect`. */
export function queryBuilder(dialect: Dialect): Kysely<IncidentDb> {
  return new Kysely<IncidentDb>({
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

const FACT_EVENTS = ['declined', 'unreachable', 'pressed-again'];

/** The store's queries for one dialect (each call compiles one statement with its parameters). */
export function incidentQueries(qb: Kysely<IncidentDb>) {
  return {
    byId: (id: string): CompiledQuery =>
      qb.selectFrom('incidents').selectAll().where('id', '=', id).compile(),
    openByKey: (key: string): CompiledQuery =>
      qb.selectFrom('incidents').selectAll().where('key', '=', key).where('closed_at', 'is', null).compile(),
    lastClosedByKey: (key: string): CompiledQuery =>
      qb
        .selectFrom('incidents')
        .selectAll()
        .where('key', '=', key)
        .where('closed_at', 'is not', null)
        .orderBy('closed_at', 'desc')
        .orderBy('opened_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .compile(),
    pages: (id: string): CompiledQuery =>
      qb
        .selectFrom('pages')
        .select(['level', 'reminder', 'kind', 'people'])
        .where('incident_id', '=', id)
        .orderBy('at')
        .orderBy('level')
        .orderBy('reminder')
        .compile(),
    factEvents: (id: string): CompiledQuery =>
      qb
        .selectFrom('incident_events')
        .select(['type', 'level', 'actor', 'data'])
        .where('incident_id', '=', id)
        .where('type', 'in', FACT_EVENTS)
        .orderBy('id')
        .compile(),
    ackCount: (id: string): CompiledQuery =>
      qb
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('incident_id', '=', id)
        .where('channel', '=', 'device')
        .compile(),
    message: (source: string, msgId: string): CompiledQuery =>
      qb
        .selectFrom('incident_messages')
        .select('incident_id')
        .where('source', '=', source)
        .where('msg_id', '=', msgId)
        .compile(),
    insertIncident: (inc: Incident): CompiledQuery =>
      qb
        .insertInto('incidents')
        .values(incidentParams(inc) as unknown as IncidentsTable)
        .compile(),
    /** Compare-and-set on the version read: no row changes when another writer saved first. */
    saveIncident: (inc: Incident): CompiledQuery => {
      const { id, version, ...rest } = incidentParams(inc) as unknown as IncidentsTable;
      return qb
        .updateTable('incidents')
        .set({ ...rest, version: version + 1 })
        .where('id', '=', id)
        .where('version', '=', version)
        .compile();
    },
    line: (incidentId: string, at: number, l: TimelineLine): CompiledQuery =>
      qb
        .insertInto('incident_events')
        .values({
          incident_id: incidentId,
          at,
          type: l.event,
          state: l.state,
          actor: l.actor?.id ?? null,
          actor_name: l.actor?.name ?? null,
          actor_role: l.actor?.role ?? null,
          level: l.level ?? null,
          note: l.note ?? null,
          data: l.data ? JSON.stringify(l.data) : null,
        })
        .compile(),
    /** A page step happens once: a second insert of the same step changes nothing. */
    page: (incidentId: string, at: number, p: PageInsert): CompiledQuery =>
      qb
        .insertInto('pages')
        .values({
          incident_id: incidentId,
          level: p.level,
          reminder: p.reminder,
          kind: p.kind,
          at,
          ack_by_at: p.ackBy,
          people: JSON.stringify(p.people),
        })
        .onConflict((oc) => oc.doNothing())
        .compile(),
    /** Applied once: a second insert of the same message changes nothing. */
    rememberMessage: (source: string, msgId: string, incidentId: string | null, at: number): CompiledQuery =>
      qb
        .insertInto('incident_messages')
        .values({ source, msg_id: msgId, incident_id: incidentId, at })
        .onConflict((oc) => oc.doNothing())
        .compile(),
    /** An outbox row, unless one with its key exists; returns the new row's id. */
    delivery: (d: DeliveryInsert, at: number): CompiledQuery =>
      qb
        .insertInto('deliveries')
        .values({
          key: d.key,
          incident_id: d.incidentId,
          level: d.level,
          reminder: d.reminder,
          kind: d.kind,
          person: d.person,
          device: d.device,
          channel: d.channel,
          payload: d.payload,
          status: d.status,
          attempts: d.attempts,
          next_try_at: d.nextTryAt,
          created_at: at,
          updated_at: at,
          wire_id: d.wireId,
          after_key: d.afterKey,
          delivered_at: d.deliveredAt,
        })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .compile(),
    due: (now: number, limit: number): CompiledQuery =>
      qb
        .selectFrom('incidents')
        .select('id')
        .where('next_at', 'is not', null)
        .where('next_at', '<=', now)
        .orderBy('next_at')
        .limit(limit)
        .compile(),
    nextDue: (): CompiledQuery =>
      qb
        .selectFrom('incidents')
        .select((eb) => eb.fn.min<number | null>('next_at').as('at'))
        .where('next_at', 'is not', null)
        .compile(),
    retryAt: (id: string, at: number): CompiledQuery =>
      qb.updateTable('incidents').set({ next_at: at }).where('id', '=', id).compile(),
    timeline: (id: string): CompiledQuery =>
      qb.selectFrom('incident_events').selectAll().where('incident_id', '=', id).orderBy('id').compile(),
    openOfDevice: (deviceId: string): CompiledQuery =>
      qb
        .selectFrom('incidents')
        .select('id')
        .where('device', '=', deviceId)
        .where('closed_at', 'is', null)
        .compile(),
    position: (incidentId: string, p: { t: number; lat: number; lon: number }): CompiledQuery =>
      qb
        .insertInto('incident_positions')
        .values({ incident_id: incidentId, t: p.t, lat: p.lat, lon: p.lon, acc: null })
        .onConflict((oc) => oc.doNothing())
        .compile(),
    /** Keeps the newest `keep` positions of an incident. */
    trimPositions: (incidentId: string, keep: number): CompiledQuery =>
      qb
        .deleteFrom('incident_positions')
        .where('incident_id', '=', incidentId)
        .where('t', '<', (eb) =>
          eb
            .selectFrom('incident_positions')
            .select('t')
            .where('incident_id', '=', incidentId)
            .orderBy('t', 'desc')
            .limit(1)
            .offset(keep - 1),
        )
        .compile(),
    positions: (id: string): CompiledQuery =>
      qb
        .selectFrom('incident_positions')
        .select(['t', 'lat', 'lon'])
        .where('incident_id', '=', id)
        .orderBy('t')
        .compile(),
    alertPages: (id: string): CompiledQuery =>
      qb
        .selectFrom('pages')
        .select(['level', 'people'])
        .where('incident_id', '=', id)
        .where('kind', '=', 'alert')
        .orderBy('level')
        .orderBy('reminder')
        .compile(),
  };
}

export type IncidentQueries = ReturnType<typeof incidentQueries>;
