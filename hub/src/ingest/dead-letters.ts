import { type DeadLetter, type DeadLetterReader, REJECT_REASONS, type RejectReason } from '../ports.ts';
import { type DeadLetterInput, type DeadLetterQuery, type InboxStore, type Maybe, settle } from './inbox.ts';

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

/**
 * The dead letters as the API reads them, through the inbox store port (the accept queue's group
 * commit writes them). Counts by reason are kept in memory from the store's totals at start plus
 * every commit since.
 */
export class DeadLetterTable implements DeadLetterReader {
  private readonly totals: Record<RejectReason, number>;
  /** Settles once the totals stored before this table was made are counted in (in this turn on SQLite). */
  readonly ready: Promise<void>;

  constructor(
    private readonly store: InboxStore,
    log?: { error(o: object, msg: string): void },
  ) {
    this.totals = emptyCounts();
    let loaded = () => {};
    this.ready = new Promise((resolve) => {
      loaded = resolve;
    });
    settle(
      () => store.rejectCounts(),
      (rows) => {
        for (const [reason, n] of Object.entries(rows))
          if (reason in this.totals) this.totals[reason as RejectReason] += n ?? 0;
        loaded();
      },
      (err) => {
        log?.error({ err }, 'could not read the dead-letter counts; they start from zero');
        loaded();
      },
    );
  }

  /** Called after a commit that wrote these dead letters. */
  committed(rejects: readonly DeadLetterInput[]): void {
    for (const d of rejects) this.totals[d.reason]++;
  }

  counts(): Record<RejectReason, number> {
    return { ...this.totals };
  }

  list(q: DeadLetterQuery): Maybe<DeadLetter[]> {
    return this.store.deadLetters(q);
  }
}
