import { decode, type Grazing, type Heartbeat, type PosBatch } from '@steppelink/protocols';
import type { Clock } from '../clock.ts';
import type { HubModule } from '../context.ts';
import type { HubEvents } from '../events.ts';
import type { Logger } from '../log.ts';
import type { HubMetrics } from '../metrics.ts';
import type { TelemetryStore } from '../telemetry/port.ts';
import {
  type IngestKind,
  isUrgent,
  isWorkerKind,
  type PendingReject,
  workerTopicOf,
} from './accept-queue.ts';
import type { ClockSkew } from './clock-skew.ts';
import { Dispatcher, type Item } from './dispatcher.ts';
import { type InboxStore, settle } from './inbox.ts';
import { TelemetryCollector } from './telemetry-map.ts';

export const processorDefaults = {
  maxBatch: 2_000, // messages per telemetry write when lagging: larger writes touch each device's pages once, but block longer
  handlerTimeoutMs: 30_000, // a module handler slower than this is recorded as failed and processing moves on
  retryMinMs: 200, // first wait after a failed telemetry write
  retryMaxMs: 10_000, // cap of the doubling wait between telemetry write retries
  closeTimeoutMs: 5_000, // close() waits this long for the batch in hand; unfinished rows replay at next start
};
export type ProcessorOptions = Partial<typeof processorDefaults>;

/** What the processor needs; `deadLetter` and `progress` come from the accept queue. */
export interface ProcessorDeps {
  inbox: InboxStore;
  telemetry: TelemetryStore;
  modules: readonly HubModule[];
  events: HubEvents;
  metrics: HubMetrics;
  clock: Clock;
  log: Logger;
  /** device clock plausibility: clamps future source times before anything reads them */
  clockSkew: ClockSkew;
  deadLetter(d: PendingReject): void;
  progress(): void;
}

type State = 'idle' | 'recovering' | 'running' | 'closing' | 'closed';

const senderOf = (deviceId: string, kind: string) => (isWorkerKind(kind) ? `worker/${deviceId}` : deviceId);

/**
 * After the group commit: hands each new message to the telemetry store (one write per batch,
 * retried until durable) and to every module's handler for its kind (awaited, in acceptance
 * order), then advances the processed watermark. Rows left unprocessed by a crash are replayed
 * from the inbox at start, so modules see every message at least once.
 */
export class Processor {
  private queue: Item[] = [];
  private urgentDone: Promise<void> = Promise.resolve();
  /** SOS dispatched beside the loop and not finished: the watermark stays below their seqs. */
  private readonly urgentInFlight = new Set<Item>();
  /** The highest seq the loop has finished (the watermark may be held below it). */
  private finishedUpTo = 0;
  private head = 0;
  private state: State = 'idle';
  private recoverUpTo = 0;
  private cursor = 0;
  private wake: (() => void) | undefined;
  private sleeping: { handle: unknown; resolve: () => void } | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly dispatcher: Dispatcher;
  private readonly o: typeof processorDefaults;
  processed = 0;
  batches = 0;
  storeFailures = 0;
  /** the last telemetry write failed and is being retried */
  storeFailing = false;

  constructor(
    private readonly d: ProcessorDeps,
    options: ProcessorOptions = {},
  ) {
    this.o = { ...processorDefaults, ...options };
    this.dispatcher = new Dispatcher(d.modules, {
      clock: d.clock,
      log: d.log,
      metrics: d.metrics,
      timeoutMs: this.o.handlerTimeoutMs,
      failed: (it, detail) => this.fail(it.seq, it.deviceId, it.kind, 'handler_error', detail, it.msg),
    });
  }

  /** messages accepted but not yet processed, in memory */
  get backlog(): number {
    return this.queue.length - this.head + this.urgentInFlight.size;
  }
  get status(): State {
    return this.state;
  }

  /** Starts processing; first replays inbox rows a previous run accepted but did not finish. */
  start(): void {
    const processed = this.d.inbox.processedSeq();
    const max = this.d.inbox.maxSeq();
    // a synchronous store (SQLite) starts the loop in this turn, as before the port
    const begun =
      processed instanceof Promise || max instanceof Promise
        ? Promise.all([processed, max]).then(([p, m]) => this.loop(p, m))
        : this.loop(processed, max);
    this.loopDone = begun.catch((err) => this.d.log.error({ err }, 'ingest processor stopped on an error'));
  }

  push(items: readonly Item[]): void {
    for (const it of items) {
      this.d.clockSkew.check(it.kind, it.deviceId, it.msg as { ts: number }, it.receivedAt);
      // SOS overtakes the telemetry backlog: a herder's rescue call must not wait behind a
      // batch of positions being written. The watermark never passes an SOS still being
      // handled, so after a crash the SOS replays (the incident handler is idempotent by id).
      if (isUrgent(it.kind)) this.dispatchUrgent(it);
      else this.queue.push(it);
    }
    this.flushClockSkew();
    this.wake?.();
  }

  private flushClockSkew(): void {
    try {
      this.d.clockSkew.flush();
    } catch (err) {
      this.d.log.error({ err }, 'could not record device clock skew; will retry with the next batch');
    }
  }

  /** Dispatches now, beside the main loop (which may be waiting on a telemetry write), one at a time. */
  private dispatchUrgent(it: Item): void {
    this.urgentInFlight.add(it);
    this.urgentDone = this.urgentDone
      .then(() => this.dispatcher.dispatch(it))
      .catch((err) => this.d.log.error({ err, seq: it.seq }, 'urgent dispatch failed'))
      .finally(() => {
        this.processed++;
        this.urgentInFlight.delete(it);
        if (this.state === 'closed') return; // what the loop finished is marked at the next start's replay
        try {
          this.markProcessed(this.finishedUpTo);
        } catch (err) {
          this.d.log.error({ err }, 'could not advance the inbox watermark');
        }
      });
  }

  async close(): Promise<{ unprocessed: number }> {
    if (this.state === 'closed') return { unprocessed: this.backlog };
    this.state = 'closing';
    this.wake?.();
    if (this.sleeping) {
      this.d.clock.clearTimeout(this.sleeping.handle);
      this.sleeping.resolve();
    }
    let timer: unknown;
    const gaveUp = await Promise.race([
      Promise.all([this.loopDone, this.urgentDone]).then(() => false),
      new Promise<boolean>((r) => {
        timer = this.d.clock.setTimeout(() => r(true), this.o.closeTimeoutMs);
      }),
    ]);
    this.d.clock.clearTimeout(timer);
    if (gaveUp)
      this.d.log.warn(
        { afterMs: this.o.closeTimeoutMs },
        'processor still busy at close; its batch replays at next start',
      );
    this.state = 'closed';
    return { unprocessed: this.backlog };
  }

  private async loop(processedSeq: number, maxSeq: number): Promise<void> {
    this.cursor = processedSeq;
    this.recoverUpTo = maxSeq;
    this.state = this.recoverUpTo > this.cursor ? 'recovering' : 'running';
    if (this.state === 'recovering') {
      this.d.log.info({ from: this.cursor, to: this.recoverUpTo }, 'replaying unprocessed inbox rows');
    }
    while (this.state === 'running' || this.state === 'recovering') {
      const batch = this.state === 'recovering' ? await this.recoveryBatch() : this.take();
      if (batch.length === 0) {
        if (this.state === 'running') await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
        continue;
      }
      await this.process(batch);
    }
  }

  private take(): Item[] {
    const end = Math.min(this.queue.length, this.head + this.o.maxBatch);
    const batch = this.queue.slice(this.head, end);
    this.head = end;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 50_000) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private async recoveryBatch(): Promise<Item[]> {
    const rows = await this.d.inbox.unprocessed(this.cursor, this.recoverUpTo, this.o.maxBatch);
    if (rows.length === 0) {
      this.state = 'running';
      this.d.log.info({ upTo: this.recoverUpTo }, 'inbox replay finished');
      return [];
    }
    const items: Item[] = [];
    for (const r of rows) {
      this.cursor = r.seq;
      const kind = r.kind as IngestKind;
      const deviceId = isWorkerKind(kind) ? r.sender.slice('worker/'.length) : r.sender;
      const decoded = decode(kind, r.payload);
      if (decoded.ok) {
        this.d.clockSkew.check(kind, deviceId, decoded.value as { ts: number }, r.receivedAt);
        items.push({ seq: r.seq, deviceId, kind, msg: decoded.value, receivedAt: r.receivedAt });
      } else this.fail(r.seq, deviceId, kind, 'schema', `replay: ${decoded.error.message}`);
    }
    this.flushClockSkew();
    if (items.length === 0) this.markProcessed(this.cursor);
    return items;
  }

  /**
   * Moves the watermark up to `seq`, but not past an SOS still being handled beside the loop:
   * its PUBACK may have gone out, and a crash before its incident exists must replay it. (An
   * SOS not yet committed has seq 0; its seq will be above anything committed now.)
   */
  private markProcessed(seq: number): void {
    this.finishedUpTo = Math.max(this.finishedUpTo, seq);
    let mark = this.finishedUpTo;
    for (const u of this.urgentInFlight) if (u.seq > 0 && u.seq <= mark) mark = u.seq - 1;
    if (mark > 0)
      settle(
        () => this.d.inbox.markProcessed(mark),
        () => undefined,
        (err) => this.d.log.error({ err }, 'could not advance the inbox watermark'),
      );
  }

  private async process(batch: readonly Item[]): Promise<void> {
    const col = new TelemetryCollector();
    for (const it of batch) {
      if (it.kind === 'pos') col.pos(it.deviceId, it.msg as PosBatch);
      else if (it.kind === 'hb') col.hb(it.deviceId, it.msg as Heartbeat);
      else if (it.kind === 'grazing') col.grazingReadings(it.deviceId, it.msg as Grazing);
    }
    if (col.size > 0 && !(await this.writeTelemetry(col))) return; // closing: rows replay at next start
    for (const it of batch) {
      if (it.kind === 'hb') {
        const hb = it.msg as Heartbeat;
        this.d.events.emit('device.health', {
          deviceId: it.deviceId,
          t: hb.ts,
          power: hb.power,
          battery: hb.battery,
        });
      }
      if (this.dispatcher.has(it.kind)) await this.dispatcher.dispatch(it);
    }
    if (this.state === 'closed') return; // close() gave up waiting: the batch replays at next start
    const last = batch[batch.length - 1];
    if (last) this.markProcessed(last.seq);
    this.processed += batch.length;
    this.batches++;
    this.d.progress();
  }

  private async writeTelemetry(col: TelemetryCollector): Promise<boolean> {
    let wait = this.o.retryMinMs;
    const batch = col.batch();
    for (;;) {
      const end = this.d.metrics.storeWriteSeconds.startTimer();
      try {
        await this.d.telemetry.write(batch);
        end();
        this.storeFailing = false;
        return true;
      } catch (err) {
        end();
        this.storeFailures++;
        this.storeFailing = true;
        this.d.log.warn({ err, points: col.size, retryInMs: wait }, 'telemetry write failed; retrying');
      }
      if (this.state !== 'running' && this.state !== 'recovering') return false;
      await this.sleep(wait + Math.random() * wait * 0.2);
      if (this.state !== 'running' && this.state !== 'recovering') return false;
      wait = Math.min(wait * 2, this.o.retryMaxMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.d.clock.setTimeout(() => {
        this.sleeping = undefined;
        resolve();
      }, ms);
      this.sleeping = { handle, resolve };
    });
  }

  private fail(
    seq: number,
    deviceId: string,
    kind: IngestKind,
    reason: 'schema' | 'handler_error',
    detail: string,
    msg?: unknown,
  ): void {
    const topic = isWorkerKind(kind) ? workerTopicOf(deviceId, kind) : `sl/v1/${deviceId}/${kind}`;
    this.d.deadLetter({
      at: this.d.clock.now(),
      topic,
      deviceId: isWorkerKind(kind) ? null : deviceId,
      clientId: null,
      reason,
      detail: `${detail} (inbox seq ${seq}, sender ${senderOf(deviceId, kind)})`.slice(0, 1000),
      excerpt: msg === undefined ? '' : JSON.stringify(msg).slice(0, 512),
    });
  }
}
