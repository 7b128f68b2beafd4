import type { UpKind } from '@steppelink/protocols';
import type { StorageStatus } from './storage.ts';

/**
 * The durable outbox port. Every upstream message is put here before it is sent and removed
 * only after the broker's PUBACK. Adapters: SQLite (the device) and memory (the simulator).
 * Both pass the same contract suite (contract.ts).
 */

/** Lower sends first: SOS > receipts > heartbeats > telemetry. */
export const PRIORITY = { sos: 0, receipt: 1, hb: 2, telemetry: 3 } as const;
export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];
export type PriorityName = keyof typeof PRIORITY;
export const PRIORITY_NAMES = Object.keys(PRIORITY) as PriorityName[];

export function priorityOf(kind: UpKind): Priority {
  switch (kind) {
    case 'sos':
    case 'sos-reply': // the household's words during its SOS travel with the SOS: never evicted
      return PRIORITY.sos;
    case 'receipt':
      return PRIORITY.receipt;
    case 'hb':
      return PRIORITY.hb;
    case 'pos':
    case 'grazing':
      return PRIORITY.telemetry;
  }
}

/** Priorities that may be evicted when the outbox is full, in eviction order. SOS and receipts never are. */
export const EVICTABLE: readonly Priority[] = [PRIORITY.telemetry, PRIORITY.hb];

export interface NewEntry {
  kind: UpKind;
  topic: string;
  /** The message id (idempotency key at the hub). */
  msgId: string;
  payload: Uint8Array;
  createdMs: number;
}

export interface OutboxEntry extends NewEntry {
  /** Insertion sequence, unique and increasing per store. */
  seq: number;
  prio: Priority;
}

export interface PutResult {
  seq: number;
  /** Entries evicted to make room for this one. */
  evicted: number;
}

/** Position in priority order: entries strictly after it are (prio, seq) > (cursor.prio, cursor.seq). */
export interface Cursor {
  prio: number;
  seq: number;
}

export interface OutboxStats {
  count: number;
  bytes: number;
  byPriority: Record<PriorityName, number>;
  /** Entries evicted since this store was opened. */
  evicted: number;
  /** Input items staged but not yet sealed into a message. */
  staged: number;
}

export interface StagedItem {
  sid: number;
  stream: string;
  item: string;
}

export interface OutboxLimits {
  /** Bound on the sum of payload bytes. */
  maxBytes: number;
  /** Bound on the number of entries. */
  maxMessages: number;
}

export interface OutboxStore {
  readonly adapter: 'sqlite' | 'memory';
  /** Durably stores one entry (evicting old telemetry if over the bound). */
  put(entry: NewEntry): PutResult;
  /** Stores several entries in one transaction. */
  putMany(entries: readonly NewEntry[]): PutResult[];
  /** Up to `limit` entries in send order (priority, then age), strictly after `after` if given. */
  next(limit: number, after?: Cursor): OutboxEntry[];
  /** Removes entries (on PUBACK). Unknown seqs are ignored. Returns how many were removed. */
  remove(seqs: readonly number[]): number;
  stats(): OutboxStats;
  /**
   * Staging: input items (GPS fixes, sensor readings) accepted but not yet batched into a
   * message. Durable like entries, so a power cut between input and batch loses nothing.
   */
  stage(stream: string, item: string): number;
  /** Staged items in order, for one stream or all. */
  staged(stream?: string): StagedItem[];
  /** Atomically stores `entry` and deletes the stream's staged items with sid <= uptoSid. */
  commitStaged(stream: string, uptoSid: number, entry: NewEntry): PutResult;
  /** Deletes the stream's staged items with sid <= uptoSid (items that cannot be sent). */
  dropStaged(stream: string, uptoSid: number): number;
  /** Small persistent key/value state (notices on screen, SOS status). */
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** Health of the storage under the store (full or failing disk), and what it refused. */
  storage(): StorageStatus;
  /**
   * While the storage is degraded: checks whether there is room again (re-taking the reserved
   * room first) and returns to `ok` if so. True when the storage is ok.
   */
  probe(): boolean;
  close(): void;
}

export function emptyByPriority(): Record<PriorityName, number> {
  return { sos: 0, receipt: 0, hb: 0, telemetry: 0 };
}
