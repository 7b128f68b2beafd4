import type { Maybe } from '../ingest/inbox.ts';
import type { DeliveryInsert } from '../incidents/store-port.ts';
import type { ChannelName, Outcome } from './port.ts';

/** A deliveries row as sent (the incidents outbox hands fresh ones over in this shape). */
export interface DeliveryRow {
  id: number;
  key: string;
  channel: ChannelName;
  device: string | null;
  payload: string;
  attempts: number;
  /** A fallback: not sent when the row with this key was delivered meanwhile. */
  afterKey?: string | null;
  /** A fallback held until then (a fresh row: the deliverer arms its timer for it). */
  heldUntil?: number;
}

/** The outcome of one attempt, as the store records it. */
export interface OutcomeUpdate {
  id: number;
  status: Outcome['status'];
  /** the retry time (null: finished) */
  next: number | null;
  error: string | null;
  now: number;
}

/**
 * The delivery store port: the `deliveries` outbox the deliverer drains. Rows are written by the
 * incident store's commit (in its transaction) or by `insert` (duty notices); the deliverer asks
 * what is due, records outcomes, and marks rows delivered on the receiver's PUBACK. Each method
 * may answer with a value (the SQLite adapter) or a promise (PostgreSQL). Every adapter runs the
 * contract suite in delivery-contract.ts.
 */
export interface DeliveryStore {
  /** Writes outbox rows whose key is new; returns the ids of the rows inserted. */
  insert(rows: readonly DeliveryInsert[], at: number): Maybe<{ id: number; key: string }[]>;
  /**
   * Rows due at `now` (pending, retrying, or a held fallback whose time came), at most `batch` of
   * each kind: other channels by due time, and per box only its oldest unfinished sos-ack.
   */
  due(now: number, batch: number): Maybe<DeliveryRow[]>;
  /** The earliest future due time of such rows (null: none). */
  nextDue(after: number): Maybe<number | null>;
  /** Rows still to send. */
  backlog(): Maybe<number>;
  /** A box's unfinished rows, oldest first. */
  openOfDevice(device: string): Maybe<number[]>;
  /** Whether a box has an unfinished row older than `id`. */
  olderOpen(device: string, id: number): Maybe<boolean>;
  statusOf(key: string): Maybe<string | undefined>;
  /** Finished rows (not delivered) made due again now. */
  again(ids: readonly number[], now: number): Maybe<void>;
  /**
   * The receiver acknowledged the message with this wire id: its row becomes `delivered` and a
   * fallback held for it `not-needed`, in one transaction. Returns the rows marked.
   */
  markDelivered(wire: string, now: number): Maybe<{ key: string; incidentId: string | null }[]>;
  /**
   * The receiver showed or opened the message of the row with this key (a read receipt): the row
   * becomes `read` (delivered too, if no PUBACK came first), once. Returns the rows marked.
   */
  markRead(key: string, now: number): Maybe<{ key: string; incidentId: string | null }[]>;
  /** A held fallback of the row with this key is due now (the app page can't reach anyone); how many. */
  release(afterKey: string, now: number): Maybe<number>;
  /** Writes outcomes in one transaction; a row marked delivered meanwhile stays delivered. */
  record(outcomes: readonly OutcomeUpdate[]): Maybe<void>;
}

/** The delivery store of an adapter that answers synchronously (SQLite): what the deliverer runs on today. */
export type SyncDeliveryStore = {
  [K in keyof DeliveryStore]: DeliveryStore[K] extends (...a: infer A) => Maybe<infer R>
    ? (...a: A) => R
    : never;
};
