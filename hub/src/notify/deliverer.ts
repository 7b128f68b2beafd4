import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { DeliveryRow, OutcomeUpdate, SyncDeliveryStore } from './delivery-store.ts';
import { DueTimer } from './due-timer.ts';
import type { ChannelName, Notifier, Outcome } from './port.ts';
import { backoffDelayMs, withRetryAfter } from '@steppelink/protocols/backoff';

export interface DelivererOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
  concurrency: number;
  batch: number;
  /**
   * Schedules the end-of-turn work (writing the turn's outcomes in one transaction): setImmediate.
   * Tests hand it to a scheduler that runs it at any point between sends, kicks and outcomes.
   */
  endOfTurn?: (fn: () => void) => void;
}

/** The product's backoff ("equal jitter") with the receiver's Retry-After as a floor. */
export function retryDelay(
  attempt: number,
  o: Pick<DelivererOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
  retryAfterMs?: number,
): number {
  const delay = backoffDelayMs(attempt, { initialMs: o.baseDelayMs, maxMs: o.maxDelayMs }, random);
  return withRetryAfter(delay, retryAfterMs, o.maxDelayMs);
}

const PRIORITY: Record<ChannelName, number> = { mqtt: 0, device: 1, webhook: 2, dispatch: 2, stream: 3 };
/** The channel a person is waiting on: `sendFresh` sends its rows ahead of everything. */
const URGENT = 0;

export type { DeliveryRow } from './delivery-store.ts';
type Row = DeliveryRow;

/** How long other sends wait for the urgent ones (a stuck connection must not hold them up). */
const URGENT_HOLD_MS = 50;

/**
 * Where one deliveries row is in this process; a row not in the map is only in the table (due,
 * waiting for its retry time, or finished).
 * - `chained`: a fresh sos-ack waiting for the one before it (`after`) to its box to finish;
 * - `sending`: handed to its channel, outcome not known yet;
 * - `recorded`: outcome known, not written to the table yet (written at the end of the turn).
 */
type Delivery =
  | { state: 'chained'; row: Row; after: number | null }
  | { state: 'sending'; row: Row; sent?: Promise<void> }
  | { state: 'recorded'; row: Row; outcome: OutcomeUpdate };

/**
 * Drains the `deliveries` outbox: every row is sent through its channel; failures that can
 * succeed later are retried with backoff and jitter up to `maxAttempts`, then marked `failed`
 * with the last error. A restart picks up pending and retrying rows where they were. sos-acks to
 * one device go strictly in order (the household must never see "notified" after "acknowledged").
 * Each channel has its own concurrency, and a slow row never holds up others: a gateway that
 * hangs for its whole timeout does not delay the next SOS's MQTT alert.
 */
export class Deliverer {
  private readonly timer: DueTimer;
  /** Every row this process holds, by id, in one of the states of `Delivery`. */
  private readonly deliveries = new Map<number, Delivery>();
  private phase: 'open' | 'closed' = 'open';
  /** When the pump looks next: at the end of this run of code, or once the urgent sends are written. */
  private pumpQueued = false;
  /** Urgent sends in progress: pumps and `afterUrgent` work wait for them. */
  private holding: Promise<void> | undefined;
  /** A due row was left for lack of capacity: look again when a send ends. */
  private skipped = false;
  private writeQueued = false;
  readonly counts = { queued: 0, delivered: 0, 'no-listener': 0, 'not-needed': 0, retry: 0, failed: 0 };
  /** Writes the outcomes recorded so far, in one transaction. */
  private readonly writeOutcomes: () => void;

  /**
   * `store`: the deliveries outbox through its port; the deliverer runs on a synchronous adapter
   * (SQLite) today, `open` false once its database is closed.
   */
  constructor(
    private readonly store: SyncDeliveryStore & { readonly open: boolean },
    private readonly channels: ReadonlyMap<ChannelName, Notifier>,
    private readonly clock: Clock,
    private readonly opts: DelivererOptions,
    private readonly log: Logger,
    private readonly random: () => number = Math.random,
    private readonly onOutcome?: (channel: ChannelName, outcome: Outcome, key: string) => void,
  ) {
    this.timer = new DueTimer(clock, () => this.kick());
    this.writeOutcomes = () => {
      this.writeQueued = false;
      const rows = this.recorded();
      if (rows.length === 0 || !this.store.open) return;
      // Written or not, these rows leave this process: the table says what happens to them next.
      for (const r of rows) this.deliveries.delete(r.id);
      try {
        this.store.record(rows);
      } catch (err) {
        // Not recorded: the rows stay due and go out again (at least once), which beats losing them.
        this.log.error(
          { err, rows: rows.length },
          'recording delivery outcomes failed; sending those rows again',
        );
        this.timer.armAt(this.clock.now() + this.opts.baseDelayMs);
      }
    };
  }

  private get closed(): boolean {
    return this.phase === 'closed';
  }
  private sendingNow(): Promise<void>[] {
    const out: Promise<void>[] = [];
    for (const d of this.deliveries.values()) if (d.state === 'sending' && d.sent) out.push(d.sent);
    return out;
  }
  private busyOn(channel: ChannelName): number {
    let n = 0;
    for (const d of this.deliveries.values()) if (d.state === 'sending' && d.row.channel === channel) n++;
    return n;
  }
  private recorded(): OutcomeUpdate[] {
    const out: OutcomeUpdate[] = [];
    for (const d of this.deliveries.values()) if (d.state === 'recorded') out.push(d.outcome);
    return out;
  }

  /**
   * The receiver acknowledged the message with this wire id (its PUBACK): the row becomes
   * `delivered`, and an SMS fallback still held for it is no longer needed. Returns the rows
   * marked (empty when the row is not written yet, or was delivered already).
   */
  markDelivered(wire: string): { key: string; incidentId: string | null }[] {
    if (!this.store.open) return [];
    return this.store.markDelivered(wire, this.clock.now());
  }

  /** Sends these finished rows once more (a box back without the session that had them). */
  resend(ids: readonly number[]): void {
    if (this.closed || !this.store.open) return;
    this.writeOutcomes();
    this.store.again(ids, this.clock.now());
    this.kick();
  }

  /** Sends whatever is due (right after the current synchronous work, or after urgent sends). */
  kick(): void {
    if (this.closed || this.pumpQueued) return;
    this.pumpQueued = true;
    const run = () => {
      this.pumpQueued = false;
      this.pump();
    };
    if (this.holding) void this.holding.then(run);
    else queueMicrotask(run);
  }

  /**
   * Sends a transaction's just-committed rows without querying for them. The channel a person
   * waits on (worker alerts) goes now, ahead of everything else: an SOS alert should not wait
   * behind the household's sos-ack or the dashboard's view. The rest start once those are
   * written (at most URGENT_HOLD_MS); a device's sos-acks go one after the other, and only when
   * nothing older for that device is still unfinished (otherwise the pump sequences them).
   * Returns false when some row was left for the pump (the caller then kicks it).
   */
  sendFresh(rows: readonly DeliveryRow[]): boolean {
    if (this.closed) return true;
    const started: Promise<void>[] = [];
    const rest: Row[] = [];
    for (const row of rows) {
      if (row.heldUntil !== undefined) this.timer.armAt(row.heldUntil);
      else if (PRIORITY[row.channel] !== URGENT) rest.push(row);
      else {
        const sent = this.start(row);
        if (sent) started.push(sent);
      }
    }
    if (started.length > 0) this.hold(started);
    if (rest.length === 0) return true;
    const byDevice = new Map<string, Row[]>();
    const others: Row[] = [];
    for (const row of rest) {
      if (row.channel !== 'device' || row.device === null) others.push(row);
      else {
        const list = byDevice.get(row.device);
        if (list) list.push(row);
        else byDevice.set(row.device, [row]);
      }
    }
    let all = true;
    const heads: Row[] = [];
    for (const [device, list] of byDevice) {
      list.sort((a, b) => a.id - b.id);
      // Something older for this box is queued or in flight: keep the order by leaving these to the pump.
      if (this.hasChain(device) || this.store.olderOpen(device, list[0]!.id)) {
        all = false;
        continue;
      }
      list.forEach((row, i) => {
        this.deliveries.set(row.id, { state: 'chained', row, after: i === 0 ? null : list[i - 1]!.id });
      });
      heads.push(list[0]!);
    }
    if (heads.length > 0 || others.length > 0) {
      this.afterUrgent(() => {
        for (const row of others) this.start(row);
        for (const row of heads) this.startChained(row);
      });
    }
    return all;
  }

  private hasChain(device: string): boolean {
    for (const d of this.deliveries.values())
      if (d.state === 'chained' && d.row.device === device) return true;
    return false;
  }

  /** Starts a chained sos-ack; when it can't start now (capacity, or the pump took it), the pump takes the rest in order. */
  private startChained(row: Row): void {
    if (this.deliveries.get(row.id)?.state !== 'chained') return;
    if (!this.start(row)) {
      this.dropChain(row.device);
      this.kick();
    }
  }

  /** Forgets a box's chained sos-acks (the pump sends them, in order, from the table). */
  private dropChain(device: string | null): void {
    for (const [id, d] of this.deliveries)
      if (d.state === 'chained' && d.row.device === device) this.deliveries.delete(id);
  }

  /**
   * Sends a payload that has no row yet: an SOS's first page, sent before the engine's
   * transaction records it (as sent, when this resolved with `sent`). Resolves with the
   * outcome, never rejects. Pumps and `afterUrgent` work wait for it, as for `sendFresh`.
   */
  sendAhead(channelName: ChannelName, payload: unknown): Promise<Outcome> {
    const channel = this.channels.get(channelName);
    if (this.closed || !channel) {
      return Promise.resolve({ status: 'retry', error: `channel ${channelName} is not available` });
    }
    const out = tryDeliver(channel, () => payload);
    this.hold([out.then(() => undefined)]);
    return out.then((o) => {
      if (o.status !== 'retry') {
        this.counts[o.status]++;
        this.onOutcome?.(channelName, o, ''); // its row is written by the engine's transaction
      }
      return o;
    });
  }

  /** Pumps and `afterUrgent` work wait until these urgent sends are written (at most URGENT_HOLD_MS). */
  private hold(started: readonly Promise<void>[]): void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hold: Promise<void> = Promise.race([
      Promise.all(started).then(() => undefined),
      new Promise<void>((r) => {
        timer = setTimeout(r, URGENT_HOLD_MS);
      }),
    ]).then(() => clearTimeout(timer));
    const held: Promise<void> = (this.holding ? this.holding.then(() => hold) : hold).then(() => {
      if (this.holding === held) this.holding = undefined;
    });
    this.holding = held;
  }

  /** Runs `fn` once the urgent sends in progress are written (at once when there are none). */
  afterUrgent(fn: () => void): void {
    if (!this.holding) {
      fn();
      return;
    }
    void this.holding
      .then(() => {
        if (!this.closed) fn();
      })
      .catch((err) => this.log.error({ err }, 'work after urgent deliveries failed'));
  }

  /** Resolves when nothing is being sent or about to be. For tests and close(). */
  async idle(): Promise<void> {
    for (;;) {
      await Promise.resolve(); // let a queued pump start its sends
      const sending = this.sendingNow();
      if (sending.length === 0 && !this.pumpQueued && !this.holding) {
        this.writeOutcomes();
        return;
      }
      await Promise.all([...sending, this.holding]);
    }
  }

  async close(): Promise<void> {
    this.phase = 'closed';
    this.timer.cancel();
    for (let s = this.sendingNow(); s.length > 0; s = this.sendingNow()) await Promise.all(s);
    this.writeOutcomes();
  }

  /** Writes the outcomes recorded so far now (a reader that must see them, e.g. the reach check). */
  flush(): void {
    this.writeOutcomes();
  }

  /** Rows still waiting to go out (pending or retrying). */
  backlog(): number {
    this.writeOutcomes();
    return this.store.backlog();
  }

  private pump(): void {
    if (this.closed) return;
    this.writeOutcomes(); // the queries below must see every outcome so far
    const now = this.clock.now();
    const rows = this.store.due(now, this.opts.batch);
    // Worker alerts first (a person is waiting for them), then the household's sos-acks, then the rest.
    rows.sort((x, y) => PRIORITY[x.channel] - PRIORITY[y.channel] || x.id - y.id);
    this.skipped = rows.length >= this.opts.batch;
    for (const row of rows) this.start(row);
    // Due rows not started now start when a send ends; the timer is for retries in the future.
    this.timer.armAt(this.store.nextDue(now));
  }

  /** Starts sending one row unless it is in flight already or its channel is at capacity. */
  private start(row: Row): Promise<void> | undefined {
    const now = this.deliveries.get(row.id);
    if (now && now.state !== 'chained') return undefined; // in flight, or its outcome is not written yet
    if (this.busyOn(row.channel) >= this.opts.concurrency) {
      this.skipped = true; // picked up when one of the sends ends
      return undefined;
    }
    const sending: Delivery = { state: 'sending', row };
    this.deliveries.set(row.id, sending);
    const sent = this.send(row).then(
      (u) => this.finished(row, u),
      () => this.finished(row, null),
    );
    sending.sent = sent;
    return sent;
  }

  /** A send ended: its outcome waits to be written; the box's next sos-ack goes, or whatever waited for capacity. */
  private finished(row: Row, u: OutcomeUpdate | null): void {
    if (u) this.record(row, u);
    else this.deliveries.delete(row.id); // closed under us: the row stays due in the table
    if (this.closed) return;
    const retryAt = u?.next ?? null;
    if (retryAt !== null) this.timer.armAt(retryAt);
    let waiting = false;
    if (row.channel === 'device' && row.device !== null) {
      const next = [...this.deliveries.values()].find((d) => d.state === 'chained' && d.after === row.id);
      if (next && retryAt === null) {
        this.startChained(next.row); // the box's next sos-ack, straight away
      } else {
        // A retry stops the chain: the rest wait behind it, and the retry timer's pump sends them in order.
        this.dropChain(row.device);
        waiting = retryAt === null && this.laterForDevice(row.device, row.id);
      }
    }
    // Look again only when something may be waiting: rows skipped for capacity, or this device's next sos-ack.
    if (this.skipped || waiting) this.kick();
  }

  /** Whether a row for this device other than `done` is still unfinished and not being sent. */
  private laterForDevice(device: string, done: number): boolean {
    if (!this.store.open) return false;
    const waiting = (id: number) => {
      const d = this.deliveries.get(id);
      if (!d || d.state === 'chained') return true;
      return d.state === 'recorded' && d.outcome.status === 'retry';
    };
    return this.store.openOfDevice(device).some((id) => id !== done && waiting(id));
  }

  /**
   * Records an outcome. All outcomes of a turn are written in one transaction at its end (or
   * before the pump's next query): one commit per turn instead of one per send. A crash before
   * that write sends the row again after the restart (at least once, never lost).
   */
  private record(row: Row, u: OutcomeUpdate): void {
    this.deliveries.set(row.id, { state: 'recorded', row, outcome: u });
    if (this.writeQueued) return;
    this.writeQueued = true;
    (this.opts.endOfTurn ?? setImmediate)(this.writeOutcomes);
  }

  /** Sends one row; returns its outcome to record (null: the database closed meanwhile). */
  private async send(row: Row): Promise<OutcomeUpdate | null> {
    const channel = this.channels.get(row.channel);
    let outcome: Outcome;
    if (!channel) outcome = { status: 'failed', error: `channel ${row.channel} is not configured` };
    else if (row.afterKey && this.store.statusOf(row.afterKey) === 'delivered')
      outcome = { status: 'not-needed' };
    else outcome = await tryDeliver(channel, () => JSON.parse(row.payload));
    const attempt = row.attempts + 1;
    if (outcome.status === 'retry' && attempt >= this.opts.maxAttempts) {
      outcome = { status: 'failed', error: `gave up after ${attempt} attempts: ${outcome.error}` };
    }
    const now = this.clock.now();
    const next =
      outcome.status === 'retry'
        ? now + retryDelay(attempt, this.opts, this.random, outcome.retryAfterMs)
        : null;
    if (!this.store.open) return null; // closed under us: the row stays due and goes out after the restart
    const update: OutcomeUpdate = {
      id: row.id,
      status: outcome.status,
      next,
      error: 'error' in outcome ? outcome.error : null,
      now,
    };
    this.counts[outcome.status]++;
    if (outcome.status === 'no-listener' || outcome.status === 'failed') {
      // Nobody can get the app page: its SMS/voice fallback need not wait for the fallback time.
      if (this.store.release(row.key, now) > 0) this.timer.armAt(now);
    }
    this.onOutcome?.(row.channel, outcome, row.key);
    if (outcome.status === 'failed') this.log.warn({ key: row.key, error: outcome.error }, 'delivery failed');
    return update;
  }
}

/** One delivery attempt; a payload or channel that throws asks for a retry (never rejects). */
async function tryDeliver(channel: Notifier, payload: () => unknown): Promise<Outcome> {
  try {
    return await channel.deliver(payload());
  } catch (e) {
    return { status: 'retry', error: (e as Error).message };
  }
}
