import { CompiledQuery } from 'kysely';
import type { DeadLetter, RejectReason } from '../ports.ts';
import { type PgDb, PgRunner, pgMigrate } from '../state/pg-db.ts';
import { sqlBuilder } from '../state/sql.ts';
import {
  type DeadLetterInput,
  type DeadLetterQuery,
  type InboxEntry,
  type InboxRow,
  type InboxStore,
  inboxDefaults,
} from './inbox.ts';
import {
  deadLetterParams,
  type IngestDb,
  inboxParams,
  inboxQueriesFor,
  pageOf,
  toInboxRow,
} from './inbox-sql.ts';
import { ingestPgMigrations } from './pg-migrations.ts';

/**
 * Group commits take this transaction-scoped advisory lock first, so they run one at a time
 * across every hub on the database: `seq` (an identity) is then handed out in commit order, and
 * a processor that has seen seq N has seen every row below it. Without it, a commit that drew
 * seq 10 could become visible after one that drew 11, and a watermark past 11 would skip 10.
 */
const INBOX_LOCK = CompiledQuery.raw('SELECT pg_advisory_xact_lock(2026120727)');
/** Rows per INSERT: five parameters a row, well under PostgreSQL's 65 535 per statement. */
const INSERT_CHUNK = 1_000;

/**
 * The inbox on PostgreSQL (issue #26): the SQLite adapter's queries and mappers (inbox-sql.ts,
 * compiled for PostgreSQL) on a node-postgres pool (state/pg-db.ts); tables from pg-migrations.ts.
 * Every answer is a promise. A group commit is one transaction under INBOX_LOCK, its accepted
 * messages one multi-row `INSERT ... ON CONFLICT DO NOTHING RETURNING` per 1000 (one round trip,
 * not one a message); each entry's `seq` is set once the transaction has committed. The
 * dead-letter bound is kept by each hub's own count of what it wrote (within 1.1 × per hub).
 */
export class PgInboxStore implements InboxStore {
  private readonly q = inboxQueriesFor('postgres');
  private readonly qb = sqlBuilder<IngestDb>('postgres');
  private readonly sql: PgRunner;
  private readonly keep: number;
  private deadSincePrune = 0;

  private constructor(db: PgDb, options: Partial<typeof inboxDefaults>) {
    this.sql = new PgRunner(db);
    this.keep = { ...inboxDefaults, ...options }.deadLetterKeep;
  }

  /** The store, with the ingest tables migrated. */
  static async open(db: PgDb, options: Partial<typeof inboxDefaults> = {}): Promise<PgInboxStore> {
    await pgMigrate(db, 'ingest', ingestPgMigrations);
    return new PgInboxStore(db, options);
  }

  async commit(accepts: readonly InboxEntry[], rejects: readonly DeadLetterInput[]): Promise<void> {
    const seqs = await this.sql.transaction(async (tx) => {
      await tx.run(INBOX_LOCK);
      const seqs: number[] = [];
      for (let i = 0; i < accepts.length; i += INSERT_CHUNK) {
        seqs.push(...(await this.insert(tx, accepts.slice(i, i + INSERT_CHUNK))));
      }
      if (rejects.length > 0) {
        const byReason = new Map<string, number>();
        for (const d of rejects) {
          await tx.run(this.q.dead.bind(deadLetterParams(d)));
          byReason.set(d.reason, (byReason.get(d.reason) ?? 0) + 1);
        }
        for (const [reason, n] of byReason) await tx.run(this.q.count.bind({ reason, n }));
        // Prune in steps of a tenth of the bound: the table stays within 1.1 × keep rows.
        if (this.deadSincePrune + rejects.length >= Math.max(1, this.keep / 10)) {
          await tx.run(this.q.prune.bind({ keep: this.keep }));
        }
      }
      return seqs;
    });
    accepts.forEach((a, i) => {
      a.seq = seqs[i]!;
    });
    if (rejects.length > 0) {
      this.deadSincePrune += rejects.length;
      if (this.deadSincePrune >= Math.max(1, this.keep / 10)) this.deadSincePrune = 0;
    }
  }

  /** Inserts a chunk in one statement; each entry's seq, 0 for one already there (or earlier in the chunk). */
  private async insert(tx: PgRunner, chunk: readonly InboxEntry[]): Promise<number[]> {
    if (chunk.length === 0) return [];
    const rows = await tx.all(
      this.qb
        .insertInto('inbox')
        .values(chunk.map(inboxParams))
        .onConflict((oc) => oc.doNothing())
        .returning(['seq', 'sender', 'msg_id'])
        .compile(),
    );
    const inserted = new Map(rows.map((r) => [`${r.sender}\u0000${r.msg_id}`, Number(r.seq)]));
    return chunk.map((a) => {
      const k = `${a.sender}\u0000${a.msgId}`;
      const seq = inserted.get(k) ?? 0;
      inserted.delete(k); // a second copy in the same group is a duplicate
      return seq;
    });
  }

  async processedSeq(): Promise<number> {
    return Number((await this.sql.one(this.q.processed.bind({})))?.value ?? 0);
  }
  async markProcessed(seq: number): Promise<void> {
    await this.sql.run(this.q.markProcessed.bind({ seq }));
  }
  async maxSeq(): Promise<number> {
    return Number((await this.sql.one(this.q.maxSeq.bind({})))?.n ?? 0);
  }
  async unprocessed(afterSeq: number, upToSeq: number, limit: number): Promise<InboxRow[]> {
    return (await this.sql.all(this.q.unprocessed.bind({ after: afterSeq, upTo: upToSeq, limit }))).map(
      toInboxRow,
    );
  }
  async pendingCount(afterSeq: number): Promise<number> {
    return Number((await this.sql.one(this.q.pending.bind({ after: afterSeq })))?.n ?? 0);
  }
  async has(sender: string, msgId: string): Promise<boolean> {
    return (await this.sql.one(this.q.contains.bind({ msgId, sender }))) !== undefined;
  }
  async deleteOlderThan(cutoffMs: number, maxRows: number): Promise<number> {
    const firstKept = (await this.sql.one(this.q.oldestKept.bind({ cutoff: cutoffMs })))?.seq;
    return this.sql.run(
      this.q.deleteBelow.bind({
        below: firstKept === undefined ? Number.MAX_SAFE_INTEGER : Number(firstKept),
        processed: await this.processedSeq(),
        max: maxRows,
      }),
    );
  }
  async deadLetters(q: DeadLetterQuery): Promise<DeadLetter[]> {
    return pageOf(q, await this.sql.all(this.q.deadLetters(q)));
  }
  async rejectCounts(): Promise<Partial<Record<RejectReason, number>>> {
    const out: Partial<Record<RejectReason, number>> = {};
    for (const r of await this.sql.all(this.q.rejectCounts.bind({}))) {
      out[r.reason as RejectReason] = Number(r.count);
    }
    return out;
  }
}
