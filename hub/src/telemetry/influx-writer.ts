import { type BackoffOptions, backoffDefaults, backoffDelayMs } from './backoff.ts';
import { withDefaults } from './defaults.ts';
import { classifyFailure } from './influx-http.ts';
import type { Spill } from './influx-spill.ts';
import { TelemetryRefusedError } from './port.ts';
import { createSleeper, realTimers, type Timers } from './timers.ts';

/**
 * Batches line protocol to InfluxDB. Two modes, one request at a time:
 * - direct: write() waits in memory (bounded) for a batch (size or interval), the batch is sent,
 *   a transient failure is retried inline, then what is left goes to the spill file;
 * - spilling: InfluxDB is away (or memory overflowed): write() appends straight to the durable
 *   spill file, and a replay loop sends the oldest spilled chunks with backoff until it is empty.
 * write() resolves once its lines are in InfluxDB or in the spill file; it rejects (counted in
 * `dropped`) only when InfluxDB refused the lines for good or the spill file is full or failing.
 */
export interface InfluxWriterOptions {
  batchLines: number;
  flushIntervalMs: number;
  maxBufferLines: number;
  inlineRetries: number;
  closeTimeoutMs: number;
  backoff: BackoffOptions;
}

export const influxWriterDefaults: InfluxWriterOptions = {
  batchLines: 5_000, // ≈ 0.5 MB of line protocol per request; InfluxDB suggests 5k-10k lines
  flushIntervalMs: 50, // ingest acks after write(): a lone heartbeat waits at most this for company
  maxBufferLines: 100_000, // ≈ 15 MB of memory; beyond it writes go to the spill file, not dropped
  inlineRetries: 1, // one quick retry: a blip shouldn't divert to disk, an outage shouldn't hold acks
  closeTimeoutMs: 3_000, // close() waits this long for requests, then aborts (their lines spill)
  backoff: backoffDefaults,
};

export interface InfluxWriterDeps {
  send(lines: string, signal: AbortSignal): Promise<void>;
  spill: Spill;
  timers?: Timers;
  random?: () => number;
  now?: () => number;
}

export interface WriterStats {
  mode: 'direct' | 'spilling';
  buffered: number;
  spilled: number;
  spilledTotal: number;
  dropped: number;
  written: number;
  /** the spill file is full or failing: write() is refusing points */
  refusing: boolean;
  lastError?: string;
}

interface Entry {
  lines: string[];
  resolve(): void;
  reject(err: Error): void;
}

const chunk = (lines: string[], size: number): string[][] => {
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i += size) out.push(lines.slice(i, i + size));
  return out;
};
const count = (entries: Entry[]) => entries.reduce((a, e) => a + e.lines.length, 0);

export function createInfluxWriter(opts: Partial<InfluxWriterOptions>, deps: InfluxWriterDeps) {
  const o = withDefaults(influxWriterDefaults, opts);
  const timers = deps.timers ?? realTimers;
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  const { spill } = deps;
  const sleeper = createSleeper(timers);
  const s: WriterStats = {
    mode: spill.count > 0 ? 'spilling' : 'direct', // a previous run left points: replay first
    buffered: 0,
    spilled: 0,
    spilledTotal: 0,
    dropped: 0,
    written: 0,
    refusing: false,
  };
  const queue: Entry[] = [];
  let closed = false;
  let inFlight: AbortController | undefined;
  let abortAll = false; // close() ran out of patience: no more requests
  let flushTimer: unknown;
  let retryTimer: unknown;
  let attempt = 0;
  let pumping: Promise<void> | undefined;

  /** Appends lines to the spill file. Returns the refusal, if any (then counted as dropped). */
  function toSpill(lines: string[]): Error | undefined {
    try {
      spill.append(chunk(lines, o.batchLines));
      s.spilledTotal += lines.length;
      s.refusing = false;
      return undefined;
    } catch (err) {
      s.dropped += lines.length;
      s.refusing = true;
      s.lastError = (err as Error).message;
      return err as Error;
    }
  }
  const settle = (entries: Entry[], err?: Error) => {
    for (const e of entries) err ? e.reject(err) : e.resolve();
  };

  async function send(body: string): Promise<void> {
    if (abortAll) throw new Error('telemetry store closing: request not sent');
    inFlight = new AbortController();
    try {
      await deps.send(body, inFlight.signal);
    } finally {
      inFlight = undefined;
    }
  }

  /** direct mode: send entries chunk by chunk; on an outage spill what is left. */
  async function sendDirect(entries: Entry[]): Promise<void> {
    let refused: Error | undefined;
    const chunks = chunk(
      entries.flatMap((e) => e.lines),
      o.batchLines,
    );
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      for (let tries = 0; ; tries++) {
        try {
          await send(c.join('\n'));
          s.written += c.length;
          attempt = 0;
          break;
        } catch (err) {
          const f = classifyFailure(err, now);
          s.lastError = f.message;
          if (f.kind === 'reject') {
            const bad = Math.min(c.length, f.droppedLines ?? c.length);
            s.dropped += bad;
            s.written += c.length - bad;
            refused = new TelemetryRefusedError(
              `InfluxDB refused ${bad} of ${c.length} points: ${f.message}`,
            );
            break;
          }
          if (tries < o.inlineRetries && !closed) {
            await sleeper.sleep(backoffDelayMs(tries + 1, o.backoff, random, f.retryAfterMs));
            if (!closed) continue;
          }
          // an outage: the rest goes to disk and the replay loop takes over
          s.mode = 'spilling';
          settle(entries, toSpill(chunks.slice(i).flat()) ?? refused);
          return;
        }
      }
    }
    settle(entries, refused);
  }

  /** spilling mode: one replay request of the oldest spilled chunks. */
  async function replayStep(): Promise<void> {
    const chunks = spill.peek(o.batchLines);
    const n = chunks.reduce((a, c) => a + c.n, 0);
    try {
      await send(chunks.map((c) => c.lines).join('\n'));
      spill.remove(chunks.map((c) => c.id));
      s.written += n;
      s.refusing = false; // room again
      attempt = 0;
    } catch (err) {
      const f = classifyFailure(err, now);
      s.lastError = f.message;
      if (f.kind === 'reject') {
        const bad = Math.min(n, f.droppedLines ?? n);
        spill.remove(chunks.map((c) => c.id));
        s.dropped += bad;
        s.written += n - bad;
        return;
      }
      if (closed) return;
      const delay = backoffDelayMs(++attempt, o.backoff, random, f.retryAfterMs);
      retryTimer = timers.setTimeout(() => {
        retryTimer = undefined;
        pump();
      }, delay);
    }
  }

  /** Starts the next request if none runs: replay in spilling mode, a due batch in direct mode. */
  function pump(): void {
    if (pumping || retryTimer !== undefined) return;
    let job: (() => Promise<void>) | undefined;
    if (s.mode === 'spilling') {
      const pending = queue.splice(0);
      if (pending.length > 0) settle(pending, toSpill(pending.flatMap((e) => e.lines)));
      if (spill.count === 0) s.mode = 'direct';
      else if (!closed) job = replayStep;
    }
    const due = flushTimer === undefined || s.buffered >= o.batchLines || closed;
    if (s.mode === 'direct' && queue.length > 0 && due) {
      const take = [queue.shift()!];
      let n = take[0]!.lines.length;
      while (queue.length > 0 && n + queue[0]!.lines.length <= o.batchLines) {
        n += queue[0]!.lines.length;
        take.push(queue.shift()!);
      }
      job = () => sendDirect(take);
    }
    s.buffered = count(queue);
    if (!job) return;
    pumping = job().finally(() => {
      pumping = undefined;
      s.buffered = count(queue);
      pump();
    });
  }

  return {
    write(lines: string[]): Promise<void> {
      if (closed) {
        s.dropped += lines.length;
        return Promise.reject(new TelemetryRefusedError('telemetry store is closed'));
      }
      if (lines.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const entry: Entry = { lines, resolve, reject };
        if (s.mode === 'spilling' || s.buffered + lines.length > o.maxBufferLines) {
          s.mode = 'spilling'; // InfluxDB is away or memory is full: straight to disk, in order
          const pending = [...queue.splice(0), entry];
          s.buffered = 0;
          settle(pending, toSpill(pending.flatMap((e) => e.lines)));
          pump();
          return;
        }
        queue.push(entry);
        s.buffered += lines.length;
        if (s.buffered >= o.batchLines) {
          if (flushTimer !== undefined) timers.clearTimeout(flushTimer);
          flushTimer = undefined;
          pump();
        } else if (flushTimer === undefined) {
          flushTimer = timers.setTimeout(() => {
            flushTimer = undefined;
            pump();
          }, o.flushIntervalMs);
        }
      });
    },
    /** starts replaying a spill left by a previous run */
    start(): void {
      pump();
    },
    /** counts points the caller could not even encode as refused */
    refuse(n: number, err: Error): void {
      s.dropped += n;
      s.lastError = err.message;
    },
    stats(): WriterStats {
      return { ...s, spilled: spill.count };
    },
    /** Flushes once more (no retries), spills what fails, stops. The spill file stays for the next start. */
    async close(): Promise<{ lost: number }> {
      if (closed) return { lost: 0 };
      closed = true;
      const droppedBefore = s.dropped;
      for (const t of [flushTimer, retryTimer]) if (t !== undefined) timers.clearTimeout(t);
      flushTimer = retryTimer = undefined;
      sleeper.wake();
      const guard = timers.setTimeout(() => {
        abortAll = true;
        inFlight?.abort();
      }, o.closeTimeoutMs);
      while (queue.length > 0 || pumping) {
        pump();
        await pumping;
      }
      timers.clearTimeout(guard);
      s.buffered = 0;
      return { lost: s.dropped - droppedBefore };
    },
  };
}

export type InfluxWriter = ReturnType<typeof createInfluxWriter>;
