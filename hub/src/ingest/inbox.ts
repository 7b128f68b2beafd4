import type { RejectReason } from '../ports.ts';
import { type Db, migrate } from '../state/db.ts';
import { ingestMigrations } from './migrations.ts';

/** An accepted message on its way into the inbox; `seq` is set by commit (0 = duplicate). */
export interface InboxEntry {
  sender: string;
  msgId: string;
  kind: string;
  payload: Buffer;
  receivedAt: number;
  seq: number;
}

export interface InboxRow {
  seq: number;
  sender: string;
  kind: string;
  payload: Buffer;
  receivedAt: number;
}

export interface DeadLetterInput {
  at: number;
  topic: string;
  deviceId: string | null;
  clientId: string | null;
  reason: RejectReason;
  detail: string;
  excerpt: string;
}

export const inboxDefaults = {
  deadLetterKeep: 10_000, // newest dead letters kept for inspection; counts by reason are kept forever
};

/**
 * The ingest tables in the state database, behind prepared statements. `commit` writes one
 * group of accepted messages and dead letters in ONE transaction (the group commit).
 */
export class InboxStore {
  private readonly st;
  private readonly tx: (accepts: readonly InboxEntry[], rejects: readonly DeadLetterInput[]) => void;
  private readonly keep: number;
  private deadSincePrune = 0;

  constructor(db: Db, options: Partial<typeof inboxDefaults> = {}) {
    migrate(db, 'ingest', ingestMigrations);
    this.keep = { ...inboxDefaults, ...options }.deadLetterKeep;
    this.st = {
      insert: db.prepare(
        'INSERT OR IGNORE INTO inbox (sender, msg_id, kind, payload, received_at) VALUES (?, ?, ?, ?, ?)',
      ),
      dead: db.prepare(
        `INSERT INTO dead_letters (at, topic, device_id, client_id, reason, detail, excerpt)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      count: db.prepare(
        `INSERT INTO reject_counts (reason, count) VALUES (?, ?)
         ON CONFLICT(reason) DO UPDATE SET count = count + excluded.count`,
      ),
      prune: db.prepare('DELETE FROM dead_letters WHERE id <= (SELECT max(id) FROM dead_letters) - ?'),
      processed: db.prepare("SELECT value FROM ingest_state WHERE key = 'processed_seq'").pluck(),
      markProcessed: db.prepare(
        "UPDATE ingest_state SET value = ? WHERE key = 'processed_seq' AND value < ?",
      ),
      maxSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM inbox').pluck(),
      unprocessed: db.prepare(
        `SELECT seq, sender, kind, payload, received_at AS receivedAt FROM inbox
         WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
      ),
      oldestKept: db.prepare('SELECT seq FROM inbox WHERE received_at >= ? ORDER BY seq LIMIT 1').pluck(),
      deleteBelow: db.prepare(
        'DELETE FROM inbox WHERE seq IN (SELECT seq FROM inbox WHERE seq < ? AND seq <= ? ORDER BY seq LIMIT ?)',
      ),
      contains: db.prepare('SELECT seq FROM inbox WHERE msg_id = ? AND sender = ?').pluck(),
      pending: db.prepare('SELECT count(*) FROM inbox WHERE seq > ?').pluck(),
    };
    this.tx = db.transaction((accepts: readonly InboxEntry[], rejects: readonly DeadLetterInput[]) => {
      const insert = this.st.insert;
      for (const a of accepts) {
        const r = insert.run(a.sender, a.msgId, a.kind, a.payload, a.receivedAt);
        a.seq = r.changes === 1 ? Number(r.lastInsertRowid) : 0;
      }
      if (rejects.length === 0) return;
      const byReason = new Map<string, number>();
      for (const d of rejects) {
        this.st.dead.run(d.at, d.topic, d.deviceId, d.clientId, d.reason, d.detail, d.excerpt);
        byReason.set(d.reason, (byReason.get(d.reason) ?? 0) + 1);
      }
      for (const [reason, n] of byReason) this.st.count.run(reason, n);
      this.deadSincePrune += rejects.length;
      // Prune in steps of a tenth of the bound: the table stays within 1.1 × keep rows.
      if (this.deadSincePrune >= Math.max(1, this.keep / 10)) {
        this.st.prune.run(this.keep);
        this.deadSincePrune = 0;
      }
    });
  }

  /** Inserts in one transaction; sets each entry's `seq` (0 when it was already in the inbox). Throws on I/O errors. */
  commit(accepts: readonly InboxEntry[], rejects: readonly DeadLetterInput[]): void {
    this.tx(accepts, rejects);
  }

  processedSeq(): number {
    return this.st.processed.get() as number;
  }
  markProcessed(seq: number): void {
    this.st.markProcessed.run(seq, seq);
  }
  maxSeq(): number {
    return this.st.maxSeq.get() as number;
  }
  /** Rows accepted but not yet processed (after `afterSeq`, up to `upToSeq`), in seq order. */
  unprocessed(afterSeq: number, upToSeq: number, limit: number): InboxRow[] {
    return this.st.unprocessed.all(afterSeq, upToSeq, limit) as InboxRow[];
  }
  pendingCount(afterSeq: number): number {
    return this.st.pending.get(afterSeq) as number;
  }
  /** Is this message in the inbox? (tests, diagnostics) */
  has(sender: string, msgId: string): boolean {
    return this.st.contains.get(msgId, sender) !== undefined;
  }
  /**
   * Deletes processed rows received before `cutoffMs`, at most `maxRows` per call (a short
   * transaction; call again while it returns maxRows). Their ids then no longer deduplicate.
   */
  deleteOlderThan(cutoffMs: number, maxRows: number): number {
    const firstKept = (this.st.oldestKept.get(cutoffMs) as number | undefined) ?? Number.MAX_SAFE_INTEGER;
    return this.st.deleteBelow.run(firstKept, this.processedSeq(), maxRows).changes;
  }
}
