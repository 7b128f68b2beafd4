import { type DeadLetter, type DeadLetterReader, REJECT_REASONS, type RejectReason } from '../ports.ts';
import type { Db } from '../state/db.ts';
import type { DeadLetterInput } from './inbox.ts';

export const EXCERPT_MAX_CHARS = 512;
const EXCERPT_MAX_BYTES = EXCERPT_MAX_CHARS * 4;

/** First characters of a payload as text (invalid UTF-8 replaced), for a dead letter. */
export function excerptOf(payload: Buffer | Uint8Array | undefined): string {
  if (!payload || payload.byteLength === 0) return '';
  const b = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return b.subarray(0, EXCERPT_MAX_BYTES).toString('utf8').slice(0, EXCERPT_MAX_CHARS);
}

const emptyCounts = (): Record<RejectReason, number> =>
  Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;

/** Reads the dead-letter table (written by the accept queue's group commit). */
export class DeadLetterTable implements DeadLetterReader {
  private readonly totals: Record<RejectReason, number>;

  constructor(private readonly db: Db) {
    this.totals = emptyCounts();
    const rows = db.prepare('SELECT reason, count FROM reject_counts').all() as {
      reason: string;
      count: number;
    }[];
    for (const r of rows) if (r.reason in this.totals) this.totals[r.reason as RejectReason] = r.count;
  }

  /** Called after a commit that wrote these dead letters. */
  committed(rejects: readonly DeadLetterInput[]): void {
    for (const d of rejects) this.totals[d.reason]++;
  }

  counts(): Record<RejectReason, number> {
    return { ...this.totals };
  }

  list(q: {
    limit: number;
    beforeId?: number;
    reason?: RejectReason;
    deviceIds?: readonly string[];
  }): DeadLetter[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.beforeId !== undefined) {
      where.push('id < ?');
      params.push(q.beforeId);
    }
    if (q.reason !== undefined) {
      where.push('reason = ?');
      params.push(q.reason);
    }
    if (q.deviceIds !== undefined) {
      where.push('device_id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(q.deviceIds));
    }
    const limit = Math.max(0, Math.min(Math.floor(q.limit), 1000)); // one page is at most 1000 rows
    const sql = `SELECT id, at, topic, device_id AS deviceId, client_id AS clientId, reason, detail, excerpt
      FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.db.prepare(sql).all(...params, limit) as DeadLetter[];
  }
}
