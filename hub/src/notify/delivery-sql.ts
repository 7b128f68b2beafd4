import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { DeliveryInsert } from '../incidents/store-port.ts';
import type { IncidentDb } from '../incidents/store-sql.ts';
import { perDialect, prepared, sqlBuilder } from '../state/sql.ts';
import type { DeliveryRow } from './delivery-store.ts';

/** The deliveries table's queries (for both dialects) and its one row mapper. */
type Db = Pick<IncidentDb, 'deliveries'>;

/** The columns of a new outbox row: the one mapping from a DeliveryInsert (both stores write through it). */
export const deliveryParams = (d: DeliveryInsert, at: number) => ({
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
});
export const DELIVERY_COLUMNS = Object.keys(
  deliveryParams(
    {
      key: '',
      channel: '',
      payload: '',
      incidentId: null,
      level: null,
      reminder: null,
      kind: '',
      person: null,
      device: null,
      status: '',
      attempts: 0,
      nextTryAt: null,
      wireId: null,
      afterKey: null,
      deliveredAt: null,
    },
    0,
  ),
) as (keyof ReturnType<typeof deliveryParams>)[];

export const toDeliveryRow = (r: Record<string, unknown>): DeliveryRow => ({
  id: Number(r.id),
  key: r.key as string,
  channel: r.channel as DeliveryRow['channel'],
  device: (r.device as string | null) ?? null,
  payload: r.payload as string,
  attempts: Number(r.attempts),
  afterKey: (r.after_key as string | null) ?? null,
});

const OPEN = ['pending', 'retry', 'held'];
/** The receiver has it: `delivered` (its PUBACK), `read` (its read receipt). Sending outcomes never undo these. */
const RECEIVED = ['delivered', 'read'];
const ROW = ['id', 'key', 'channel', 'device', 'payload', 'attempts', 'after_key'] as const;

/** A box's oldest unfinished row: nothing earlier for that box is still unfinished. */
const deviceHead = (eb: ExpressionBuilder<{ d: Db['deliveries'] } & Db, 'd'>) =>
  eb.and([
    eb('d.channel', '=', 'device'),
    eb('d.status', 'in', OPEN),
    eb.not(
      eb.exists(
        eb
          .selectFrom('deliveries as e')
          .select(sql.lit(1).as('one'))
          .whereRef('e.device', '=', 'd.device')
          .where('e.status', 'in', OPEN)
          .where('e.device', 'is not', null)
          .whereRef('e.id', '<', 'd.id'),
      ),
    ),
  ]);

/** A new outbox row unless its key exists; returns its id. Arguments: `deliveryParams`. */
export const deliveryInsertQuery = <T extends Db>(qb: Kysely<T>) =>
  prepared(DELIVERY_COLUMNS, (p) =>
    (qb as unknown as Kysely<Db>)
      .insertInto('deliveries')
      .values(p)
      .onConflict((oc) => oc.doNothing())
      .returning('id'),
  );

function deliveryQueries(qb: Kysely<Db>) {
  return {
    insert: deliveryInsertQuery(qb),
    dueOther: prepared(['now', 'batch'], (p) =>
      qb
        .selectFrom('deliveries')
        .select(ROW)
        .where('status', 'in', OPEN)
        .where('next_try_at', '<=', p.now)
        .where('channel', '!=', 'device')
        .orderBy('next_try_at')
        .limit(p.batch),
    ),
    dueDevice: prepared(['now', 'batch'], (p) =>
      qb
        .selectFrom('deliveries as d')
        .select(ROW.map((c) => `d.${c}` as const))
        .where((eb) => deviceHead(eb))
        .where('d.next_try_at', '<=', p.now)
        .limit(p.batch),
    ),
    nextOther: prepared(['after'], (p) =>
      qb
        .selectFrom('deliveries')
        .select((eb) => eb.fn.min('next_try_at').as('at'))
        .where('status', 'in', OPEN)
        .where('channel', '!=', 'device')
        .where('next_try_at', '>', p.after),
    ),
    nextDevice: prepared(['after'], (p) =>
      qb
        .selectFrom('deliveries as d')
        .select((eb) => eb.fn.min('d.next_try_at').as('at'))
        .where((eb) => deviceHead(eb))
        .where('d.next_try_at', '>', p.after),
    ),
    backlog: prepared([], () =>
      qb
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', OPEN),
    ),
    openOfDevice: prepared(['device'], (p) =>
      qb
        .selectFrom('deliveries')
        .select('id')
        .where('device', '=', p.device)
        .where('status', 'in', OPEN)
        .orderBy('id'),
    ),
    olderOpen: prepared(['device', 'id'], (p) =>
      qb
        .selectFrom('deliveries')
        .select(sql.lit(1).as('one'))
        .where('device', '=', p.device)
        .where('status', 'in', OPEN)
        .where('id', '<', p.id)
        .limit(sql.lit(1)),
    ),
    statusOf: prepared(['key'], (p) => qb.selectFrom('deliveries').select('status').where('key', '=', p.key)),
    again: prepared(['id', 'now'], (p) =>
      qb
        .updateTable('deliveries')
        .set({ status: 'pending', next_try_at: p.now, updated_at: p.now })
        .where('id', '=', p.id)
        .where('status', 'not in', [...OPEN, ...RECEIVED]),
    ),
    delivered: prepared(['wire', 'now'], (p) =>
      qb
        .updateTable('deliveries')
        .set({ status: 'delivered', delivered_at: p.now, updated_at: p.now, next_try_at: null })
        .where('wire_id', '=', p.wire)
        .where('status', 'not in', RECEIVED)
        .returning(['key', 'incident_id']),
    ),
    /** The reader showed or opened it (a read receipt): implies delivered, and stays. */
    read: prepared(['key', 'now'], (p) =>
      qb
        .updateTable('deliveries')
        .set((eb) => ({
          status: 'read',
          delivered_at: eb.fn.coalesce('delivered_at', sql<number>`cast(${p.now} as bigint)`),
          next_try_at: null,
          updated_at: p.now,
        }))
        .where('key', '=', p.key)
        .where('status', '!=', 'read')
        .returning(['key', 'incident_id']),
    ),
    release: prepared(['key', 'now'], (p) =>
      qb
        .updateTable('deliveries')
        .set({ next_try_at: p.now, updated_at: p.now })
        .where('after_key', '=', p.key)
        .where('status', '=', 'held'),
    ),
    notNeeded: prepared(['key', 'now'], (p) =>
      qb
        .updateTable('deliveries')
        .set({ status: 'not-needed', next_try_at: null, updated_at: p.now })
        .where('after_key', '=', p.key)
        .where('status', '=', 'held'),
    ),
    /** A PUBACK may have made the row `delivered` before its sending outcome is written: that stays. */
    outcome: prepared(['id', 'status', 'next', 'error', 'now'], (p) =>
      qb
        .updateTable('deliveries')
        .set((eb) => ({
          status: eb.case().when('status', 'in', RECEIVED).then(eb.ref('status')).else(p.status).end(),
          attempts: eb('attempts', '+', sql.lit(1)),
          next_try_at: eb
            .case()
            .when('status', 'in', RECEIVED)
            .then(sql<number | null>`null`)
            // cast: PostgreSQL types a CASE of NULL and a parameter as text, not as the column's bigint
            .else(sql<number | null>`cast(${p.next} as bigint)`)
            .end(),
          last_error: p.error,
          updated_at: p.now,
        }))
        .where('id', '=', p.id),
    ),
  };
}

export type DeliveryQueries = ReturnType<typeof deliveryQueries>;
export const deliveryQueriesFor = perDialect(
  (dialect): DeliveryQueries => deliveryQueries(sqlBuilder<Db>(dialect)),
);
