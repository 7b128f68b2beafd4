import type { Clock, TimerHandle, Timers } from './clock.ts';
import { errorMessage, type Logger, silentLogger } from './logger.ts';
import type { NewEntry, OutboxStore, PutResult, StagedItem } from './outbox/port.ts';

/** How one family of streams (`pos`, `pos/<subject>`, `grazing`) is batched. */
export interface BatchSpec {
  /** Seal at this many items. */
  maxItems: number;
  /** Seal when the oldest item has waited this long. */
  maxAgeMs: number;
  /** Optional bound on the spread of a value across one batch (e.g. fix times within a day). */
  span?: { of(item: string): number; max: number };
  /** Builds the message for the items; an Error drops the items (counted), never loops. */
  build(items: string[], stream: string): NewEntry | Error;
}

interface StreamState {
  count: number;
  lastSid: number;
  firstAtMs: number;
  min: number;
  max: number;
  timer: TimerHandle | undefined;
}

export interface BatcherOptions {
  store: OutboxStore;
  clock: Clock;
  timers: Timers;
  specs: Record<string, BatchSpec>;
  /** Called after a batch was sealed into the outbox. */
  onSealed(entry: NewEntry, result: PutResult): void;
  logger?: Logger;
  /** A batch that could not be written (full or failing disk) stays staged and is sealed again after this long. */
  retryMs?: number;
}

/**
 * Turns accepted input items into batched messages. Items are staged in the outbox store the
 * moment they are accepted (durable), and sealed into one message atomically with the removal
 * of the staged items. On start, items staged before a restart are picked up again.
 * A storage error never escapes a seal (it runs from timers): the items stay staged and the seal
 * is tried again after `retryMs`.
 */
export class Batcher {
  readonly #o: BatcherOptions & { logger: Logger; retryMs: number };
  readonly #streams = new Map<string, StreamState>();
  #dropped = 0;
  #closed = false;

  constructor(options: BatcherOptions) {
    this.#o = { logger: silentLogger, retryMs: 10_000, ...options };
  }

  /** Items dropped because their batch could not be built. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Seals items staged before a restart right away: they have waited at least the downtime. */
  start(): void {
    let staged: StagedItem[];
    try {
      staged = this.#o.store.staged();
    } catch (error) {
      this.#o.logger.error('batch.restore_failed', { error: errorMessage(error) });
      return;
    }
    for (const s of staged) this.#track(s.stream, s.sid, s.item);
    this.sealAll();
  }

  /** Stages one item durably; seals the stream's batch when it is full. */
  add(stream: string, item: string): void {
    if (this.#closed) throw new Error('batcher is closed');
    const spec = this.#spec(stream);
    const st = this.#streams.get(stream);
    if (st && spec.span) {
      const v = spec.span.of(item);
      if (Math.max(st.max, v) - Math.min(st.min, v) > spec.span.max) this.seal(stream);
    }
    const sid = this.#o.store.stage(stream, item);
    this.#track(stream, sid, item);
  }

  /** Seals a stream's staged items into one message now. Never throws. */
  seal(stream: string): void {
    const st = this.#streams.get(stream);
    if (!st) return;
    this.#o.timers.clearTimeout(st.timer);
    this.#streams.delete(stream);
    try {
      this.#sealStaged(stream, st.lastSid);
    } catch (error) {
      // The transaction rolled back: the items are still staged. Try again later, once.
      if (this.#closed) return;
      this.#o.logger.warn('batch.seal_failed', {
        stream,
        error: errorMessage(error),
        retryMs: this.#o.retryMs,
      });
      if (!this.#streams.has(stream)) {
        st.timer = this.#o.timers.setTimeout(() => this.seal(stream), this.#o.retryMs);
        this.#streams.set(stream, st);
      }
    }
  }

  #sealStaged(stream: string, lastSid: number): void {
    const staged = this.#o.store.staged(stream).filter((s) => s.sid <= lastSid);
    if (staged.length === 0) return;
    const spec = this.#spec(stream);
    let built: NewEntry | Error;
    try {
      built = spec.build(
        staged.map((s) => s.item),
        stream,
      );
    } catch (error) {
      built = new Error(errorMessage(error));
    }
    if (built instanceof Error) {
      this.#dropped += staged.length;
      this.#o.logger.error('batch.dropped', { stream, items: staged.length, error: built.message });
      this.#o.store.dropStaged(stream, lastSid);
      return;
    }
    const result = this.#o.store.commitStaged(stream, lastSid, built);
    this.#o.onSealed(built, result);
  }

  /** Seals every stream (e.g. before a planned shutdown, so the batches can go first). */
  sealAll(): void {
    for (const stream of [...this.#streams.keys()]) this.seal(stream);
  }

  close(): void {
    this.#closed = true;
    for (const st of this.#streams.values()) this.#o.timers.clearTimeout(st.timer);
    this.#streams.clear();
  }

  #spec(stream: string): BatchSpec {
    const family = stream.split('/')[0] ?? stream;
    const spec = this.#o.specs[family];
    if (!spec)
      throw new Error(
        `No batch spec for stream ${JSON.stringify(stream)}; known: ${Object.keys(this.#o.specs).join(', ')}`,
      );
    return spec;
  }

  #track(stream: string, sid: number, item: string): void {
    const spec = this.#spec(stream);
    const v = spec.span ? spec.span.of(item) : 0;
    let st = this.#streams.get(stream);
    if (!st) {
      st = { count: 0, lastSid: sid, firstAtMs: this.#o.clock.now(), min: v, max: v, timer: undefined };
      this.#streams.set(stream, st);
      st.timer = this.#o.timers.setTimeout(() => this.seal(stream), spec.maxAgeMs);
    }
    st.count++;
    st.lastSid = Math.max(st.lastSid, sid);
    st.min = Math.min(st.min, v);
    st.max = Math.max(st.max, v);
    if (st.count >= spec.maxItems) this.seal(stream);
  }
}
