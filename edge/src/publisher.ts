import type { UpKind } from '@steppelink/protocols';
import type { ByteBudget } from './budget.ts';
import type { TimerHandle, Timers } from './clock.ts';
import { EDGE_DEFAULTS } from './defaults.ts';
import { TypedEmitter } from './events.ts';
import { type Logger, silentLogger } from './logger.ts';
import { type Cursor, type OutboxEntry, type OutboxStore, PRIORITY } from './outbox/port.ts';

export type PublisherState = 'offline' | 'online' | 'closed';

export interface PublisherEvents extends Record<string, unknown> {
  /** The broker acknowledged (PUBACK) the message; it is being removed from the outbox. */
  acked: { seq: number; msgId: string; kind: UpKind };
  /** The outbox became empty after a backlog of at least `drainedMin` messages went out. */
  drained: { messages: number };
}

/** What the publisher needs from the link: a QoS 1 publish that returns false when offline. */
export interface PublishTarget {
  publish(topic: string, payload: Uint8Array, done: (error?: Error) => void): boolean;
}

export interface PublisherOptions {
  store: OutboxStore;
  target: PublishTarget;
  budget: ByteBudget;
  timers: Timers;
  logger?: Logger;
  maxInflight?: number;
  /** Wait before retrying after a failed publish (the link usually drops and resets us first). */
  retryAfterErrorMs?: number;
  /** Acknowledged entries are deleted in one transaction once this many are pending... */
  removeBatch?: number;
  /** ...or this long after the first PUBACK, whichever comes first. */
  removeFlushMs?: number;
  /** Backlog size that counts as a drain worth reporting (the agent then returns memory). */
  drainedMin?: number;
}

/**
 * Drives publishing from the outbox: at most `maxInflight` QoS 1 publishes awaiting PUBACK,
 * always the highest-priority entries first (an SOS overtakes any backlog as soon as a slot is
 * free), telemetry paced by the byte budget. Entries are removed only on PUBACK; removals are
 * batched into one transaction (removeBatch entries or removeFlushMs).
 */
export class Publisher extends TypedEmitter<PublisherEvents> {
  readonly #o: Required<PublisherOptions>;
  #state: PublisherState = 'offline';
  #session = 0;
  readonly #inflight = new Set<number>();
  readonly #toRemove = new Set<number>();
  #cursor: Cursor | undefined;
  /** Entries read ahead from the outbox, next to send (one page, so reads are not per message). */
  #ahead: OutboxEntry[] = [];
  #pumping = false;
  #again = false;
  /** Retry timer after a failed publish: nothing is sent until it fires. */
  #wait: TimerHandle | undefined;
  /** Budget timer: telemetry waits for it; SOS, receipts and heartbeats do not. */
  #budgetWait: TimerHandle | undefined;
  #flushTimer: TimerHandle | undefined;
  #sent = 0;
  #sinceEmpty = 0;
  #acked = 0;

  constructor(options: PublisherOptions) {
    super();
    this.#o = {
      logger: silentLogger,
      maxInflight: EDGE_DEFAULTS.maxInflight,
      retryAfterErrorMs: 1_000,
      // One fsync per deletion would cap a drain at the disk's fsync rate; batching costs only a
      // few duplicate resends (dropped by id at the hub) if power fails between PUBACK and delete.
      removeBatch: 256,
      removeFlushMs: 200,
      drainedMin: 1_000,
      ...options,
    };
  }

  get state(): PublisherState {
    return this.#state;
  }

  stats(): { inflight: number; sent: number; acked: number } {
    return { inflight: this.#inflight.size, sent: this.#sent, acked: this.#acked };
  }

  /** A new session is up: resend everything not yet acknowledged, in priority order. */
  online(): void {
    if (this.#state === 'closed') return;
    this.#state = 'online';
    this.#reset();
    this.#pump();
  }

  /** The session is gone: nothing is in flight any more (unacked entries are still in the outbox). */
  offline(): void {
    if (this.#state === 'closed') return;
    this.#state = 'offline';
    this.#reset();
  }

  /** An entry of priority `prio` was put into the outbox. */
  kick(prio: number): void {
    if (this.#cursor && prio < this.#cursor.prio) {
      this.#cursor = undefined;
      this.#ahead = [];
    }
    this.#pump();
  }

  /** Applies pending removals now (also done automatically once per event-loop turn). */
  flush(): void {
    this.#o.timers.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#toRemove.size === 0 || this.#state === 'closed') return;
    const seqs = [...this.#toRemove];
    this.#toRemove.clear();
    try {
      this.#o.store.remove(seqs);
      this.#sinceEmpty += seqs.length;
      if (this.#sinceEmpty >= this.#o.drainedMin && this.#o.store.stats().count === 0) {
        this.emit('drained', { messages: this.#sinceEmpty });
        this.#sinceEmpty = 0;
      }
    } catch (error) {
      // Not removed means sent again later: a duplicate the hub drops by id, never a loss.
      this.#o.logger.error('outbox.remove_failed', { count: seqs.length, error: (error as Error).message });
    }
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.flush();
    this.#reset();
    this.#state = 'closed';
  }

  #reset(): void {
    this.#session++;
    this.#inflight.clear();
    this.#cursor = undefined;
    this.#ahead = [];
    this.#o.timers.clearTimeout(this.#wait);
    this.#wait = undefined;
    this.#o.timers.clearTimeout(this.#budgetWait);
    this.#budgetWait = undefined;
  }

  #pump(): void {
    if (this.#state !== 'online') return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        this.#fill();
      } while (this.#again && this.#state === 'online');
    } finally {
      this.#pumping = false;
    }
  }

  #fill(): void {
    const { store, maxInflight } = this.#o;
    while (this.#state === 'online' && this.#wait === undefined && this.#inflight.size < maxInflight) {
      if (this.#ahead.length === 0 && !this.#readPage(store, maxInflight)) return;
      const e = this.#ahead.shift();
      if (!e) return;
      if (!this.#send(e)) {
        this.#ahead.unshift(e);
        return;
      }
    }
  }

  /** Reads the next page in send order into #ahead; false when there is nothing to send. */
  #readPage(store: OutboxStore, pageSize: number): boolean {
    for (;;) {
      // Entries in flight or awaiting deletion (met after a cursor reset) are stepped over.
      const limit = pageSize;
      const page = store.next(limit, this.#cursor);
      for (const e of page) {
        if (this.#inflight.has(e.seq) || this.#toRemove.has(e.seq))
          this.#cursor = { prio: e.prio, seq: e.seq };
        else this.#ahead.push(e);
      }
      if (this.#ahead.length > 0) return true;
      if (page.length < limit) return false;
    }
  }

  /** Sends one entry; false when the loop must stop (budget, offline). */
  #send(e: OutboxEntry): boolean {
    const bytes = e.payload.byteLength;
    if (e.prio === PRIORITY.telemetry) {
      const waitMs = this.#o.budget.waitMs(bytes);
      if (waitMs > 0) {
        if (this.#budgetWait === undefined) {
          this.#budgetWait = this.#o.timers.setTimeout(() => {
            this.#budgetWait = undefined;
            this.#pump();
          }, waitMs);
        }
        return false;
      }
    }
    const session = this.#session;
    this.#inflight.add(e.seq);
    const accepted = this.#o.target.publish(e.topic, e.payload, (error) => this.#done(session, e, error));
    if (!accepted) {
      this.#inflight.delete(e.seq);
      return false;
    }
    this.#o.budget.spend(bytes);
    this.#cursor = { prio: e.prio, seq: e.seq };
    this.#sent++;
    return true;
  }

  #done(session: number, e: OutboxEntry, error: Error | undefined): void {
    if (this.#state === 'closed') return;
    if (!error) {
      // A PUBACK is final even if it arrives for an older session.
      this.#acked++;
      this.#toRemove.add(e.seq);
      if (this.#toRemove.size >= this.#o.removeBatch) this.flush();
      else if (this.#flushTimer === undefined)
        this.#flushTimer = this.#o.timers.setTimeout(() => this.flush(), this.#o.removeFlushMs);
      this.emit('acked', { seq: e.seq, msgId: e.msgId, kind: e.kind });
    }
    if (session !== this.#session) return;
    this.#inflight.delete(e.seq);
    if (!error) {
      this.#pump();
      return;
    }
    this.#o.logger.warn('publish.failed', { msgId: e.msgId, kind: e.kind, error: error.message });
    this.#cursor = undefined;
    this.#ahead = [];
    if (this.#wait === undefined) {
      this.#wait = this.#o.timers.setTimeout(() => {
        this.#wait = undefined;
        this.#pump();
      }, this.#o.retryAfterErrorMs);
    }
  }
}
