import type { UpKind } from '@steppelink/protocols';
import type { WorkerKind } from '../context.ts';
import type { Logger } from '../log.ts';
import type { HubMetrics } from '../metrics.ts';
import type { DeadLetterTable } from './dead-letters.ts';
import type { DeadLetterInput, InboxEntry, InboxStore, Maybe } from './inbox.ts';

/** Completes the broker's authorizePublish: the PUBACK goes out only after `done(null)`. */
export type Done = (err?: Error | null) => void;

export type IngestKind = UpKind | WorkerKind;
/** A kind a person sends (its inbox sender is `worker/{personId}`), not a device. */
export const isWorkerKind = (kind: string): kind is WorkerKind =>
  kind === 'worker-ack' || kind === 'worker-reply';
/** The topic a person's message of `kind` came on. */
export const workerTopicOf = (personId: string, kind: WorkerKind): string =>
  `sl/v1/worker/${personId}/${kind === 'worker-ack' ? 'ack' : 'reply'}`;

/**
 * A herder's rescue call: handed on before its commit (the accept queue) and handled beside the
 * telemetry backlog (the processor), whose watermark waits for it.
 */
export const isUrgent = (kind: IngestKind): boolean => kind === 'sos';

export interface PendingAccept extends InboxEntry {
  /** device id, or the person id for a worker ack */
  deviceId: string;
  kind: IngestKind;
  msg: unknown;
  done: Done;
  /** handed to the sink before its commit (an SOS): not handed on again after it */
  handedOn?: boolean;
}
export interface PendingReject extends DeadLetterInput {
  done?: Done;
}

/** Where newly accepted (non-duplicate) messages go after the commit: the processor. */
export interface AcceptSink {
  push(items: readonly PendingAccept[]): void;
  readonly backlog: number;
}

export const acceptQueueDefaults = {
  maxBatch: 2_000, // messages per transaction: bounds how long one commit blocks the event loop (a few ms)
  maxBacklog: 20_000, // processor backlog past which PUBACKs wait (backpressure) instead of memory growing
  commitIntervalMs: 4, // under load at most one commit per 4 ms, so batches grow with load; an idle hub commits at once
};
export type AcceptQueueOptions = Partial<typeof acceptQueueDefaults>;

/**
 * The group commit. Every message that arrives in the same event-loop turn (up to maxBatch) is
 * written to the inbox in ONE SQLite transaction, then all their callbacks run (→ PUBACKs).
 * A failed commit fails the callbacks (the broker drops those connections, the clients resend),
 * so a PUBACK always means "durable". Rejections ride along as dead letters.
 */
export class AcceptQueue {
  private accepts: PendingAccept[] = [];
  private rejects: PendingReject[] = [];
  private scheduled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastCommitAt = Number.NEGATIVE_INFINITY;
  private parked: Done[] = [];
  /** The commit an asynchronous store has not answered yet (never set with a synchronous one). */
  private inFlight: Promise<void> | undefined;
  private readonly o: typeof acceptQueueDefaults;
  commitFailures = 0;
  commits = 0;
  committed = 0;

  constructor(
    private readonly inbox: InboxStore,
    private readonly deadLetters: DeadLetterTable,
    private readonly sink: AcceptSink,
    private readonly metrics: HubMetrics,
    private readonly log: Logger,
    options: AcceptQueueOptions = {},
  ) {
    this.o = { ...acceptQueueDefaults, ...options };
  }

  /** messages waiting for the next commit */
  get depth(): number {
    return this.accepts.length + this.rejects.length;
  }
  /** acknowledgements held back because the processor lags */
  get parkedCount(): number {
    return this.parked.length;
  }

  accept(e: PendingAccept): void {
    this.accepts.push(e);
    if (!isUrgent(e.kind)) {
      this.schedule();
      return;
    }
    // The rescue call goes first: an SOS is handed on at once (its handler pages the worker in
    // this turn, before any disk write), and committed, with whatever is pending, at the end of
    // this turn rather than after the group-commit spacing; its PUBACK follows the commit. A
    // crash in between loses nothing acknowledged: the box sends it again, and the incident
    // engine knows a message it has applied.
    e.handedOn = true;
    this.sink.push([e]);
    this.schedule(true);
  }

  reject(d: PendingReject): void {
    this.rejects.push(d);
    this.schedule();
  }

  /** Called by the processor as its backlog shrinks: releases held acknowledgements. */
  drained(): void {
    if (this.parked.length === 0 || this.sink.backlog > this.o.maxBacklog / 2) return;
    const parked = this.parked;
    this.parked = [];
    for (const done of parked) done(null);
  }

  /** Commits whatever is pending now and releases held acknowledgements (used at close). */
  async flushNow(): Promise<void> {
    while (this.depth > 0 || this.inFlight) {
      if (this.inFlight) await this.inFlight;
      else this.flush();
    }
    const parked = this.parked;
    this.parked = [];
    for (const done of parked) done(null);
  }

  /**
   * Group commit timing (real timers, not the injected clock: this is tick-level scheduling, not
   * business time). The first message after a quiet spell is committed on the next turn of the
   * event loop; while commits follow each other closely, the next one waits out the interval so
   * more messages share its transaction (the cost of a commit is mostly per page touched). An
   * urgent message (`atTurnEnd`) brings a commit waiting out the interval forward to this turn's end.
   */
  private schedule(atTurnEnd = false): void {
    if (atTurnEnd && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.scheduled = false;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = atTurnEnd ? 0 : this.lastCommitAt + this.o.commitIntervalMs - performance.now();
    if (wait <= 0 || this.accepts.length >= this.o.maxBatch) setImmediate(this.run);
    else this.timer = setTimeout(this.run, wait);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    this.timer = undefined;
    this.flush();
    if (this.depth > 0) this.schedule();
  };

  /**
   * Writes one group. A synchronous store (SQLite) commits and acknowledges in this turn, as
   * before the port; with an asynchronous one (PostgreSQL) the group is acknowledged when its
   * commit resolves, and the next group waits for it (`inFlight`: acceptance order is commit order).
   */
  private flush(): void {
    if (this.inFlight) return;
    const accepts = this.take(this.accepts);
    const rejects = this.take(this.rejects);
    if (accepts.length === 0 && rejects.length === 0) return;
    this.lastCommitAt = performance.now();
    const end = this.metrics.inboxCommitSeconds.startTimer();
    let written: Maybe<void>;
    try {
      written = this.inbox.commit(accepts, rejects);
    } catch (e) {
      end();
      this.failedGroup(accepts, rejects, e);
      return;
    }
    if (!(written instanceof Promise)) {
      end();
      this.committedGroup(accepts, rejects);
      return;
    }
    this.inFlight = written
      .then(
        () => this.committedGroup(accepts, rejects),
        (e) => this.failedGroup(accepts, rejects, e),
      )
      .finally(() => {
        end();
        this.inFlight = undefined;
        if (this.depth > 0) this.schedule();
      });
  }

  private failedGroup(
    accepts: readonly PendingAccept[],
    rejects: readonly PendingReject[],
    e: unknown,
  ): void {
    this.commitFailures++;
    const err = e instanceof Error ? e : new Error(String(e));
    this.log.error({ err, messages: accepts.length }, 'inbox commit failed; no acknowledgement sent');
    for (const a of accepts) a.done(err);
    for (const r of rejects) r.done?.(err);
  }

  private committedGroup(accepts: readonly PendingAccept[], rejects: readonly PendingReject[]): void {
    this.commits++;
    this.committed += accepts.length + rejects.length;
    this.deadLetters.committed(rejects);
    this.count(accepts, rejects);
    const fresh = accepts.filter((a) => a.seq > 0 && !a.handedOn);
    if (fresh.length > 0) this.sink.push(fresh);
    const hold = this.sink.backlog > this.o.maxBacklog;
    for (const a of accepts) {
      if (hold) this.parked.push(a.done);
      else a.done(null);
    }
    for (const r of rejects) r.done?.(null);
  }

  private take<T>(list: T[]): T[] {
    if (list === this.accepts && list.length <= this.o.maxBatch) {
      this.accepts = [];
      return list;
    }
    if (list === this.rejects && list.length <= this.o.maxBatch) {
      this.rejects = [];
      return list;
    }
    return list.splice(0, this.o.maxBatch);
  }

  private count(accepts: readonly PendingAccept[], rejects: readonly PendingReject[]): void {
    const fresh = new Map<string, number>();
    const dup = new Map<string, number>();
    for (const a of accepts) {
      const m = a.seq > 0 ? fresh : dup;
      m.set(a.kind, (m.get(a.kind) ?? 0) + 1);
    }
    for (const [kind, n] of fresh) this.metrics.accepted.inc({ kind }, n);
    for (const [kind, n] of dup) this.metrics.duplicates.inc({ kind }, n);
    const byReason = new Map<string, number>();
    for (const r of rejects) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
    for (const [reason, n] of byReason) this.metrics.rejected.inc({ reason }, n);
  }
}
