import type { DeadLetter, RejectReason } from '../ports.ts';
import { type Db, migrate } from '../state/db.ts';
import { SqliteRunner } from '../state/sqlite-run.ts';
import {
  type DeadLetterInput,
  type DeadLetterQuery,
  type InboxEntry,
  type InboxRow,
  type InboxStore,
  inboxDefaults,
} from './inbox.ts';
import { deadLetterParams, inboxParams, inboxQueriesFor, pageOf, toInboxRow } from './inbox-sql.ts';
import { ingestMigrations } from './migrations.ts';

/**
 * The inbox on the hub's SQLite database. Every call answers synchronously (better-sqlite3):
 * the accept queue's group commit and its acknowledgements run in one turn, as before the port.
 */
export class SqliteInboxStore implements InboxStore {
  private readonly q = inboxQueriesFor('sqlite');
  private readonly sql: SqliteRunner;
  private readonly keep: number;
  private deadSincePrune = 0;

  constructor(db: Db, options: Partial<typeof inboxDefaults> = {}) {
    migrate(db, 'ingest', ingestMigrations);
    this.keep = { ...inboxDefaults, ...options }.deadLetterKeep;
    this.sql = new SqliteRunner(db);
  }

  commit(accepts: readonly InboxEntry[], rejects: readonly DeadLetterInput[]): void {
    this.sql.transaction(() => {
      for (const a of accepts) {
        const r = this.sql.one(this.q.insert.bind(inboxParams(a)));
        a.seq = r ? Number(r.seq) : 0;
      }
      if (rejects.length === 0) return;
      const byReason = new Map<string, number>();
      for (const d of rejects) {
        this.sql.run(this.q.dead.bind(deadLetterParams(d)));
        byReason.set(d.reason, (byReason.get(d.reason) ?? 0) + 1);
      }
      for (const [reason, n] of byReason) this.sql.run(this.q.count.bind({ reason, n }));
      this.deadSincePrune += rejects.length;
      // Prune in steps of a tenth of the bound: the table stays within 1.1 × keep rows.
      if (this.deadSincePrune >= Math.max(1, this.keep / 10)) {
        this.sql.run(this.q.prune.bind({ keep: this.keep }));
        this.deadSincePrune = 0;
      }
    });
  }

  processedSeq(): number {
    return Number(this.sql.one(this.q.processed.bind({}))?.value ?? 0);
  }
  markProcessed(seq: number): void {
    this.sql.run(this.q.markProcessed.bind({ seq }));
  }
  maxSeq(): number {
    return Number(this.sql.one(this.q.maxSeq.bind({}))?.n ?? 0);
  }
  unprocessed(afterSeq: number, upToSeq: number, limit: number): InboxRow[] {
    return this.sql.all(this.q.unprocessed.bind({ after: afterSeq, upTo: upToSeq, limit })).map(toInboxRow);
  }
  pendingCount(afterSeq: number): number {
    return Number(this.sql.one(this.q.pending.bind({ after: afterSeq }))?.n ?? 0);
  }
  has(sender: string, msgId: string): boolean {
    return this.sql.one(this.q.contains.bind({ msgId, sender })) !== undefined;
  }
  deleteOlderThan(cutoffMs: number, maxRows: number): number {
    const firstKept = this.sql.one(this.q.oldestKept.bind({ cutoff: cutoffMs }))?.seq;
    return this.sql.run(
      this.q.deleteBelow.bind({
        below: firstKept === undefined ? Number.MAX_SAFE_INTEGER : Number(firstKept),
        processed: this.processedSeq(),
        max: maxRows,
      }),
    );
  }
  deadLetters(q: DeadLetterQuery): DeadLetter[] {
    return pageOf(q, this.sql.all(this.q.deadLetters(q)));
  }
  rejectCounts(): Partial<Record<RejectReason, number>> {
    const out: Partial<Record<RejectReason, number>> = {};
    for (const r of this.sql.all(this.q.rejectCounts.bind({})))
      out[r.reason as RejectReason] = Number(r.count);
    return out;
  }
}
