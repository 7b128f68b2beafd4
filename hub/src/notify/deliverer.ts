import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../state/db.ts';
import { DueTimer } from './due-timer.ts';
import type { ChannelName, Notifier, Outcome } from './port.ts';

export interface DelivererOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
  concurrency: number;
  batch: number;
}

/** Exponential backoff with "equal jitter": half the step fixed, half random; Retry-After is a floor. */
export function retryDelay(
  attempt: number,
  o: Pick<DelivererOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
  retryAfterMs?: number,
): number {
  const step = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(step / 2 + (random() * step) / 2);
  return Math.max(jittered, Math.min(o.maxDelayMs, retryAfterMs ?? 0));
}

/** Rows that may go now or later: any unfinished row, but for a device only its oldest unfinished one. */
const ELIGIBLE = `status IN ('pending', 'retry') AND (channel != 'device' OR id IN (
  SELECT min(id) FROM deliveries WHERE channel = 'device' AND status IN ('pending', 'retry') GROUP BY device))`;

interface Row {
  id: number;
  key: string;
  channel: ChannelName;
  device: string | null;
  payload: string;
  attempts: number;
}

/**
 * Drains the `deliveries` outbox: every row is sent through its channel; failures that can
 * succeed later are retried with backoff and jitter up to `maxAttempts`, then marked `failed`
 * with the last error. A restart picks up pending and retrying rows where they were. sos-acks to
 * one device go strictly in order (the household must never see "notified" after "acknowledged").
 */
export class Deliverer {
  private readonly timer: DueTimer;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  readonly counts = { sent: 0, delivered: 0, 'no-listener': 0, retry: 0, failed: 0 };
  private readonly update;

  constructor(
    private readonly db: Db,
    private readonly channels: ReadonlyMap<ChannelName, Notifier>,
    private readonly clock: Clock,
    private readonly opts: DelivererOptions,
    private readonly log: Logger,
    private readonly random: () => number = Math.random,
    private readonly onOutcome?: (channel: ChannelName, outcome: Outcome) => void,
  ) {
    this.timer = new DueTimer(clock, () => this.kick());
    this.update = db.prepare(
      `UPDATE deliveries SET status = @status, attempts = attempts + 1, next_try_at = @next,
       last_error = @error, updated_at = @now WHERE id = @id`,
    );
  }

  /** Sends whatever is due now (soon, not synchronously). */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again && !this.closed) {
        this.again = false;
        this.kick();
      } else {
        this.armNext();
      }
    });
  }

  /** Resolves when nothing is being sent right now (due rows included). For tests and close(). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  close(): Promise<void> {
    this.closed = true;
    this.timer.cancel();
    return this.idle();
  }

  /** Rows still waiting to go out (pending or retrying). */
  backlog(): number {
    return this.db
      .prepare(`SELECT count(*) FROM deliveries WHERE status IN ('pending', 'retry')`)
      .pluck()
      .get() as number;
  }

  private armNext(): void {
    if (this.closed) return;
    const next = this.db.prepare(`SELECT min(next_try_at) FROM deliveries WHERE ${ELIGIBLE}`).pluck().get() as
      | number
      | null;
    this.timer.armAt(next);
  }

  private dueRows(now: number): Row[] {
    return this.db
      .prepare(
        `SELECT id, key, channel, device, payload, attempts FROM deliveries
         WHERE ${ELIGIBLE} AND next_try_at <= @now ORDER BY id LIMIT @batch`,
      )
      .all({ now, batch: this.opts.batch }) as Row[];
  }

  private async drain(): Promise<void> {
    for (let round = 0; round < 1000 && !this.closed; round++) {
      const rows = this.dueRows(this.clock.now());
      if (rows.length === 0) return;
      let next = 0;
      const worker = async () => {
        for (let row = rows[next++]; row !== undefined; row = rows[next++]) await this.send(row);
      };
      await Promise.all(Array.from({ length: Math.min(this.opts.concurrency, rows.length) }, worker));
    }
  }

  private async send(row: Row): Promise<void> {
    const channel = this.channels.get(row.channel);
    let outcome: Outcome;
    if (!channel) outcome = { status: 'failed', error: `channel ${row.channel} is not configured` };
    else {
      try {
        outcome = await channel.deliver(JSON.parse(row.payload));
      } catch (e) {
        outcome = { status: 'retry', error: (e as Error).message };
      }
    }
    const attempt = row.attempts + 1;
    if (outcome.status === 'retry' && attempt >= this.opts.maxAttempts) {
      outcome = { status: 'failed', error: `gave up after ${attempt} attempts: ${outcome.error}` };
    }
    const now = this.clock.now();
    const next =
      outcome.status === 'retry'
        ? now + retryDelay(attempt, this.opts, this.random, outcome.retryAfterMs)
        : null;
    if (this.closed && outcome.status === 'retry') return; // db may be closing; the row stays due
    this.update.run({
      id: row.id,
      status: outcome.status,
      next,
      error: 'error' in outcome ? outcome.error : null,
      now,
    });
    this.counts[outcome.status]++;
    this.onOutcome?.(row.channel, outcome);
    if (outcome.status === 'failed') this.log.warn({ key: row.key, error: outcome.error }, 'delivery failed');
  }
}
