import { type Kysely, sql } from 'kysely';
import type { DeadLetter } from '../ports.ts';
import { perDialect, prepared, sqlBuilder } from '../state/sql.ts';
import type { DeadLetterInput, DeadLetterQuery, InboxEntry, InboxRow } from './inbox.ts';

/** The ingest tables (ingest/migrations.ts) and their queries, written once for both dialects. */
type Nullable<T> = T | null;
export interface IngestDb {
  inbox: { seq?: number; sender: string; msg_id: string; kind: string; payload: Buffer; received_at: number };
  ingest_state: { key: string; value: number };
  dead_letters: {
    id?: number;
    at: number;
    topic: string;
    device_id: Nullable<string>;
    client_id: Nullable<string>;
    reason: string;
    detail: string;
    excerpt: string;
  };
  reject_counts: { reason: string; count: number };
}

// ---- one mapper per table ----
export const inboxParams = (a: InboxEntry) => ({
  sender: a.sender,
  msg_id: a.msgId,
  kind: a.kind,
  payload: a.payload,
  received_at: a.receivedAt,
});
export const toInboxRow = (r: Record<string, unknown>): InboxRow => ({
  seq: Number(r.seq),
  sender: r.sender as string,
  kind: r.kind as string,
  payload: r.payload as Buffer,
  receivedAt: Number(r.received_at),
});
export const deadLetterParams = (d: DeadLetterInput) => ({
  at: d.at,
  topic: d.topic,
  device_id: d.deviceId,
  client_id: d.clientId,
  reason: d.reason,
  detail: d.detail,
  excerpt: d.excerpt,
});
export const toDeadLetter = (r: Record<string, unknown>): DeadLetter => ({
  id: Number(r.id),
  at: Number(r.at),
  topic: r.topic as string,
  deviceId: (r.device_id as string | null) ?? null,
  clientId: (r.client_id as string | null) ?? null,
  reason: r.reason as DeadLetter['reason'],
  detail: r.detail as string,
  excerpt: r.excerpt as string,
});

const PAGE_MAX = 1000; // one page of dead letters is at most 1000 rows
const pageSize = (q: DeadLetterQuery) => Math.max(0, Math.min(Math.floor(q.limit), PAGE_MAX));

/** The page of dead letters `q` asks for, from the rows its query returned. */
export function pageOf(q: DeadLetterQuery, rows: readonly Record<string, unknown>[]): DeadLetter[] {
  const devices = q.deviceIds === undefined ? undefined : new Set(q.deviceIds);
  const out: DeadLetter[] = [];
  for (const r of rows) {
    if (out.length >= pageSize(q)) break;
    if (devices && !devices.has(r.device_id as string)) continue;
    out.push(toDeadLetter(r));
  }
  return out;
}

function inboxQueries(qb: Kysely<IngestDb>) {
  return {
    /** A new message (its seq), or nothing when (msg_id, sender) is there already. */
    insert: prepared(['sender', 'msg_id', 'kind', 'payload', 'received_at'], (p) =>
      qb
        .insertInto('inbox')
        .values(p)
        .onConflict((oc) => oc.doNothing())
        .returning('seq'),
    ),
    dead: prepared(['at', 'topic', 'device_id', 'client_id', 'reason', 'detail', 'excerpt'], (p) =>
      qb.insertInto('dead_letters').values(p),
    ),
    count: prepared(['reason', 'n'], (p) =>
      qb
        .insertInto('reject_counts')
        .values({ reason: p.reason, count: p.n })
        .onConflict((oc) =>
          oc
            .column('reason')
            .doUpdateSet((eb) => ({ count: eb('reject_counts.count', '+', eb.ref('excluded.count')) })),
        ),
    ),
    /** Keeps the newest `keep` dead letters. */
    prune: prepared(['keep'], (p) =>
      qb
        .deleteFrom('dead_letters')
        .where('id', '<=', sql<number>`(select max(id) from dead_letters) - ${p.keep}`),
    ),
    processed: prepared([], () =>
      qb.selectFrom('ingest_state').select('value').where('key', '=', 'processed_seq'),
    ),
    markProcessed: prepared(['seq'], (p) =>
      qb
        .updateTable('ingest_state')
        .set({ value: p.seq })
        .where('key', '=', 'processed_seq')
        .where('value', '<', p.seq),
    ),
    maxSeq: prepared([], () =>
      qb.selectFrom('inbox').select((eb) => eb.fn.coalesce(eb.fn.max('seq'), sql.lit(0)).as('n')),
    ),
    unprocessed: prepared(['after', 'upTo', 'limit'], (p) =>
      qb
        .selectFrom('inbox')
        .select(['seq', 'sender', 'kind', 'payload', 'received_at'])
        .where('seq', '>', p.after)
        .where('seq', '<=', p.upTo)
        .orderBy('seq')
        .limit(p.limit),
    ),
    oldestKept: prepared(['cutoff'], (p) =>
      qb
        .selectFrom('inbox')
        .select('seq')
        .where('received_at', '>=', p.cutoff)
        .orderBy('seq')
        .limit(sql.lit(1)),
    ),
    deleteBelow: prepared(['below', 'processed', 'max'], (p) =>
      qb
        .deleteFrom('inbox')
        .where('seq', 'in', (eb) =>
          eb
            .selectFrom('inbox')
            .select('seq')
            .where('seq', '<', p.below)
            .where('seq', '<=', p.processed)
            .orderBy('seq')
            .limit(p.max),
        ),
    ),
    contains: prepared(['msgId', 'sender'], (p) =>
      qb.selectFrom('inbox').select('seq').where('msg_id', '=', p.msgId).where('sender', '=', p.sender),
    ),
    pending: prepared(['after'], (p) =>
      qb
        .selectFrom('inbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('seq', '>', p.after),
    ),
    rejectCounts: prepared([], () => qb.selectFrom('reject_counts').select(['reason', 'count'])),
    /**
     * Compiled per call: the filters vary (an API read, not the ingest path). A device filter is
     * applied by the caller (`pageOf`): the table is bounded (deadLetterKeep), and a league's
     * device list is longer than either dialect's bound on parameters.
     */
    deadLetters: (q: DeadLetterQuery) => {
      let s = qb.selectFrom('dead_letters').selectAll();
      if (q.beforeId !== undefined) s = s.where('id', '<', q.beforeId);
      if (q.reason !== undefined) s = s.where('reason', '=', q.reason);
      s = s.orderBy('id', 'desc');
      return (q.deviceIds === undefined ? s.limit(pageSize(q)) : s).compile();
    },
  };
}

export type InboxQueries = ReturnType<typeof inboxQueries>;
export const inboxQueriesFor = perDialect(
  (dialect): InboxQueries => inboxQueries(sqlBuilder<IngestDb>(dialect)),
);
