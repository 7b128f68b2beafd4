import type { DeadLetter, RejectReason } from '../ports.ts';

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

export interface DeadLetterQuery {
  limit: number;
  beforeId?: number;
  reason?: RejectReason;
  deviceIds?: readonly string[];
}

export const inboxDefaults = {
  deadLetterKeep: 10_000, // newest dead letters kept for inspection; counts by reason are kept forever
};

/** A store call's answer: a value when the adapter answers synchronously (SQLite), else a promise. */
export type Maybe<T> = T | Promise<T>;

/**
 * Runs `ok` with a store call's answer, in this turn when the adapter answered synchronously
 * (the ingest fast path: no promise, no extra turn per group commit), else when it settles;
 * `fail` gets what it threw or rejected with.
 */
export function settle<T>(call: () => Maybe<T>, ok: (v: T) => void, fail: (err: unknown) => void): void {
  let v: Maybe<T>;
  try {
    v = call();
  } catch (err) {
    fail(err);
    return;
  }
  if (v instanceof Promise) v.then(ok, fail);
  else ok(v);
}

/**
 * The inbox store port: the durable log of accepted upstream messages (deduplicated by sender
 * and message id, numbered in acceptance order), the processing watermark, and the bounded
 * dead-letter table with its counts by reason. Every method may answer synchronously (the SQLite
 * adapter does, so a group commit acknowledges in the turn it runs) or with a promise (a
 * PostgreSQL adapter); callers go through `settle` or `await`. Every adapter runs the contract
 * suite in inbox-contract.ts.
 */
export interface InboxStore {
  /**
   * One group commit: accepted messages and dead letters in ONE transaction; sets each entry's
   * `seq` (0 when it was in the inbox already). Keeps the newest `deadLetterKeep` dead letters
   * (within 1.1 ×), counting every one by reason. Throws (or rejects) on I/O errors.
   */
  commit(accepts: readonly InboxEntry[], rejects: readonly DeadLetterInput[]): Maybe<void>;
  /** The watermark: every row up to it has been processed. */
  processedSeq(): Maybe<number>;
  /** Moves the watermark up (never down). */
  markProcessed(seq: number): Maybe<void>;
  maxSeq(): Maybe<number>;
  /** Rows accepted but not yet processed (after `afterSeq`, up to `upToSeq`), in seq order. */
  unprocessed(afterSeq: number, upToSeq: number, limit: number): Maybe<InboxRow[]>;
  pendingCount(afterSeq: number): Maybe<number>;
  /** Is this message in the inbox? (tests, diagnostics) */
  has(sender: string, msgId: string): Maybe<boolean>;
  /**
   * Deletes processed rows received before `cutoffMs`, at most `maxRows` per call (a short
   * transaction; call again while it returns maxRows). Their ids then no longer deduplicate.
   */
  deleteOlderThan(cutoffMs: number, maxRows: number): Maybe<number>;
  /** Dead letters, newest first (at most 1000). */
  deadLetters(q: DeadLetterQuery): Maybe<DeadLetter[]>;
  /** Rejections by reason since the store was created (not only those still kept). */
  rejectCounts(): Maybe<Partial<Record<RejectReason, number>>>;
}
