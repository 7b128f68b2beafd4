import { type Kysely, sql } from 'kysely';
import { type Dialect, prepared, sqlBuilder } from '../state/sql.ts';
import { deliveryInsertQuery } from '../notify/delivery-sql.ts';
import { COLUMNS } from './store.ts';

/**
 * The incident store's queries, written once with Kysely and compiled for either dialect (see
 * state/sql.ts: a query builder only, each query compiled once with named parameters).
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
  policy: Nullable<string>;
  drill: number;
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

export type { Dialect, Prepared } from '../state/sql.ts';
export { prepared } from '../state/sql.ts';

/** A Kysely instance that only builds and compiles the incident store's queries for `dialect`. */
export function queryBuilder(dialect: Dialect): Kysely<IncidentDb> {
  return sqlBuilder<IncidentDb>(dialect);
}

const FACT_EVENTS = ['declined', 'unreachable', 'pressed-again'];

const EVENT_COLUMNS = [
  'incident_id',
  'at',
  'type',
  'state',
  'actor',
  'actor_name',
  'actor_role',
  'level',
  'note',
  'data',
] as const;
const PAGE_COLUMNS = ['incident_id', 'level', 'reminder', 'kind', 'at', 'ack_by_at', 'people'] as const;

/** The store's queries for one dialect, each compiled once. */
export function incidentQueries(qb: Kysely<IncidentDb>) {
  const updatable = COLUMNS.filter((c) => c !== 'id' && c !== 'version');
  return {
    byId: prepared(['id'], (p) => qb.selectFrom('incidents').selectAll().where('id', '=', p.id)),
    openByKey: prepared(['key'], (p) =>
      qb.selectFrom('incidents').selectAll().where('key', '=', p.key).where('closed_at', 'is', null),
    ),
    lastClosedByKey: prepared(['key'], (p) =>
      qb
        .selectFrom('incidents')
        .selectAll()
        .where('key', '=', p.key)
        .where('closed_at', 'is not', null)
        .orderBy('closed_at', 'desc')
        .orderBy('opened_at', 'desc')
        .orderBy('id', 'desc')
        .limit(sql.lit(1)),
    ),
    /** In a total order (the primary key breaks ties), so every engine gives the facts in the same order. */
    pages: prepared(['id'], (p) =>
      qb
        .selectFrom('pages')
        .select(['level', 'reminder', 'kind', 'people'])
        .where('incident_id', '=', p.id)
        .orderBy('at')
        .orderBy('level')
        .orderBy('reminder')
        .orderBy('kind'),
    ),
    factEvents: prepared(['id'], (p) =>
      qb
        .selectFrom('incident_events')
        .select(['type', 'level', 'actor', 'data'])
        .where('incident_id', '=', p.id)
        .where('type', 'in', FACT_EVENTS)
        .orderBy('id'),
    ),
    ackCount: prepared(['id'], (p) =>
      qb
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('incident_id', '=', p.id)
        .where('channel', '=', 'device'),
    ),
    message: prepared(['source', 'msgId'], (p) =>
      qb
        .selectFrom('incident_messages')
        .select('incident_id')
        .where('source', '=', p.source)
        .where('msg_id', '=', p.msgId),
    ),
    /** Arguments: the incident's columns (incidentParams). */
    insertIncident: prepared(COLUMNS, (p) =>
      qb.insertInto('incidents').values(p as unknown as IncidentsTable),
    ),
    /** Compare-and-set on the version read (`version`): no row changes when another writer saved first. */
    saveIncident: prepared([...COLUMNS, 'nextVersion'] as const, (p) =>
      qb
        .updateTable('incidents')
        .set({ ...Object.fromEntries(updatable.map((c) => [c, p[c]])), version: p.nextVersion })
        .where('id', '=', p.id as never)
        .where('version', '=', p.version as never),
    ),
    /** Arguments: the incident_events columns. */
    line: prepared(EVENT_COLUMNS, (p) => qb.insertInto('incident_events').values(p)),
    /** A page step happens once: a second insert of the same step changes nothing. */
    page: prepared(PAGE_COLUMNS, (p) =>
      qb
        .insertInto('pages')
        .values(p)
        .onConflict((oc) => oc.doNothing()),
    ),
    /** Applied once: a second insert of the same message changes nothing. */
    rememberMessage: prepared(['source', 'msgId', 'incidentId', 'at'], (p) =>
      qb
        .insertInto('incident_messages')
        .values({ source: p.source, msg_id: p.msgId, incident_id: p.incidentId, at: p.at })
        .onConflict((oc) => oc.doNothing()),
    ),
    /** An outbox row, unless one with its key exists; returns the new row's id. Arguments: `deliveryParams`. */
    delivery: deliveryInsertQuery(qb),
    /** Due timers, at most `limit` (a literal: SQLite plans `LIMIT ?` with a sort, a literal with the index). */
    due: (limit: number) =>
      prepared(['now'], (p) =>
        qb
          .selectFrom('incidents')
          .select('id')
          .where('next_at', 'is not', null)
          .where('next_at', '<=', p.now)
          .orderBy('next_at')
          .limit(sql.lit(limit)),
      ),
    nextDue: prepared([], () =>
      qb
        .selectFrom('incidents')
        .select((eb) => eb.fn.min<number | null>('next_at').as('at'))
        .where('next_at', 'is not', null),
    ),
    retryAt: prepared(['id', 'at'], (p) =>
      qb.updateTable('incidents').set({ next_at: p.at }).where('id', '=', p.id),
    ),
    timeline: prepared(['id'], (p) =>
      qb.selectFrom('incident_events').selectAll().where('incident_id', '=', p.id).orderBy('id'),
    ),
    openOfDevice: prepared(['deviceId'], (p) =>
      qb.selectFrom('incidents').select('id').where('device', '=', p.deviceId).where('closed_at', 'is', null),
    ),
    position: prepared(['incidentId', 't', 'lat', 'lon'], (p) =>
      qb
        .insertInto('incident_positions')
        .values({ incident_id: p.incidentId, t: p.t, lat: p.lat, lon: p.lon, acc: null })
        .onConflict((oc) => oc.doNothing()),
    ),
    /** Keeps the newest `keep` positions of an incident (`offset` = keep - 1). */
    trimPositions: prepared(['incidentId', 'offset'], (p) =>
      qb
        .deleteFrom('incident_positions')
        .where('incident_id', '=', p.incidentId)
        .where('t', '<', (eb) =>
          eb
            .selectFrom('incident_positions')
            .select('t')
            .where('incident_id', '=', p.incidentId)
            .orderBy('t', 'desc')
            .limit(sql.lit(1))
            .offset(p.offset),
        ),
    ),
    positions: prepared(['id'], (p) =>
      qb
        .selectFrom('incident_positions')
        .select(['t', 'lat', 'lon'])
        .where('incident_id', '=', p.id)
        .orderBy('t'),
    ),
    alertPages: prepared(['id'], (p) =>
      qb
        .selectFrom('pages')
        .select(['level', 'people'])
        .where('incident_id', '=', p.id)
        .where('kind', '=', 'alert')
        .orderBy('level')
        .orderBy('reminder'),
    ),
  };
}

export type IncidentQueries = ReturnType<typeof incidentQueries>;
