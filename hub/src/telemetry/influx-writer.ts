import { withDefaults } from './defaults.ts';
import { type BackoffOptions, backoffDefaults, backoffDelayMs } from './backoff.ts';
import { classifyFailure, type Failure } from './influx-http.ts';
import type { Spill } from './influx-spill.ts';

/**
 * Batches line protocol to InfluxDB. Two modes, one sender at a time:
 * - direct: write() waits in memory (bounded) for a batch (size or interval), the batch is sent,
 *   a transient failure is retried inline a few times, then the batch goes to the spill file;
 * - spilling: InfluxDB is away (or memory overflowed), write() appends straight to the durable
 *   spill file, and a replay loop sends the oldest spilled chunks with backoff until it is empty.
 * write() resolves once its lines are in InfluxDB or in the spill file; it rejects (and counts
 * `dropped`) only if InfluxDB refused the lines for good or the spill is full or failing.
 */
export interface InfluxWriterOptions {
  batchLines: number;
  flushIntervalMs: number;
  maxBufferLines: number;
  maxSpillLines: number;
  inlineRetries: number;
  closeTimeoutMs: number;
  backoff: BackoffOptions;
}

export const influxWriterDefaults: InfluxWriterOptions = {
  batchLines: 5_000, // ≈ 0.5 MB of line protocol per request; InfluxDB suggests 5k-10k lines
  flushIntervalMs: 50, // ingest acks after write(): a lone heartbeat waits at most this for company
  maxBufferLines: 100_000, // ≈ 15 MB of memory; beyond it, writes go to the spill file
  maxSpillLines: 20_000_000, // ≈ 3 GB on disk, days of a banner's telemetry; beyond it write() is refused
  inlineRetries: 1, // one quick retry before spilling: a blip shouldn't divert to disk, an outage shouldn't hold acks
  closeTimeoutMs: 3_000, // close() waits this long for a request in flight, then aborts it (its lines spill)
  backoff: backoffDefaults,
};

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
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

export class TelemetryRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TelemetryRefusedError';
  }
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

export function createInfluxWriter(opts: Partial<InfluxWriterOptions>, deps: InfluxWriterDeps) {
  const o = withDefaults(influxWriterDefaults, opts);
  const timers = deps.timers ?? realTimers;
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  const { spill } = deps;
  const s: WriterStats = {
    mode: spill.count > 0 ? 'spilling' : 'direct',
    buffered: 0,
    spilled: 0,
    spilledTotal: 0,
    dropped: 0,
    written: 0,
    refusing: false,
  };
  const queue: Entry[] = [];
  let closed = false;
  let inFlight: { done: Promise<void>; abort: AbortController } | undefined;
  let flushTimer: unknown;
  let retryTimer: unknown;
  let wakeSleep: (() => void) | undefined;
  let attempt = 0;
  let abortAll = false; // close() ran out of patience: no more requests

  const note = (f: Failure) => {
    s.lastError = f.message;
  };

  /** Appends entries to the spill file; settles them. Returns false if the spill refused. */
  function spillEntries(entries: Entry[], resolveThem = true): boolean {
    const n = entries.reduce((a, e) => a + e.lines.length, 0);
    let err: Error | undefined;
    if (spill.count + n > o.maxSpillLines) {
      err = new TelemetryRefusedError(
        `telemetry spill is full (${spill.count} of ${o.maxSpillLines} points waiting for InfluxDB); raise maxSpillLines or bring InfluxDB back`,
      );
      s.refusing = true;
    } else {
      try {
        spill.append(entries.flatMap((e) => chunk(e.lines, o.batchLines)));
        s.spilledTotal += n;
        s.refusing = false;
      } catch (e) {
        err = new TelemetryRefusedError(`telemetry spill failed: ${(e as Error).message}`);
        s.refusing = true;
      }
    }
    if (err) {
      s.dropped += n;
      s.lastError = err.message;
      for (const e of entries) e.reject(err);
      return false;
    }
    if (resolveThem) for (const e of entries) e.resolve();
    return true;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const h = timers.setTimeout(() => {
        wakeSleep = undefined;
        resolve();
      }, ms);
      wakeSleep = () => {
        timers.clearTimeout(h);
        wakeSleep = undefined;
        resolve();
      };
    });
  }

  async function sendTracked(body: string): Promise<void> {
    if (abortAll) throw new Error('telemetry store closing: request not sent');
    const abort = new AbortController();
    const done = deps.send(body, abort.signal);
    inFlight = {
      done: done.then(
        () => undefined,
        () => undefined,
      ),
      abort,
    };
    try {
      await done;
    } finally {
      inFlight = undefined;
    }
  }

  /** direct mode: send entries chunk by chunk; on an outage spill what is left. */
  async function sendDirect(entries: Entry[]): Promise<void> {
    const refused: Error[] = [];
    const lines = entries.flatMap((e) => e.lines);
    const chunks = chunk(lines, o.batchLines);
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      for (let tries = 0; ; tries++) {
        try {
          await sendTracked(c.join('\n'));
          s.written += c.length;
          attempt = 0;
          break;
        } catch (err) {
          const f = classifyFailure(err, now);
          note(f);
          if (f.kind === 'reject') {
            const bad = Math.min(c.length, f.droppedLines ?? c.length);
            s.dropped += bad;
            s.written += c.length - bad;
            refused.push(
              new TelemetryRefusedError(`InfluxDB refused ${bad} of ${c.length} points: ${f.message}`),
            );
            break;
          }
          const delay = backoffDelayMs(tries + 1, o.backoff, random, f.retryAfterMs);
          if (tries < o.inlineRetries && !closed && delay <= o.backoff.maxDelayMs) {
            await sleep(delay);
            if (!closed) continue;
          }
          // outage: the rest goes to disk, and the replay loop takes over
          s.mode = 'spilling';
          const rest = chunks.slice(i).flat();
          const ok = spillEntries([{ lines: rest, resolve() {}, reject() {} }], false);
          const err2 = ok ? undefined : new TelemetryRefusedError(s.lastError ?? 'telemetry spill failed');
          for (const e of entries)
            err2 ? e.reject(err2) : refused.length ? e.reject(refused[0]!) : e.resolve();
          return;
        }
      }
    }
    for (const e of entries) refused.length ? e.reject(refused[0]!) : e.resolve();
  }

  /** spilling mode: one replay request of the oldest spilled chunks. */
  async function replayStep(): Promise<void> {
    const chunks = spill.peek(o.batchLines);
    if (chunks.length === 0) {
      s.mode = 'direct';
      return;
    }
    const n = chunks.reduce((a, c) => a + c.n, 0);
    try {
      await sendTracked(chunks.map((c) => c.lines).join('\n'));
      spill.remove(chunks.map((c) => c.id));
      s.written += n;
      s.refusing = false; // room again
      attempt = 0;
    } catch (err) {
      const f = classifyFailure(err, now);
      note(f);
      if (f.kind === 'reject') {
        const bad = Math.min(n, f.droppedLines ?? n);
        spill.remove(chunks.map((c) => c.id));
        s.dropped += bad;
        s.written += n - bad;
        return;
      }
      attempt++;
      if (!closed) {
        retryTimer = timers.setTimeout(
          () => {
            retryTimer = undefined;
            pump();
          },
          backoffDelayMs(attempt, o.backoff, random, f.retryAfterMs),
        );
      }
    }
  }

  let pumping: Promise<void> | undefined;
  function pump(): void {
    if (pumping || retryTimer !== undefined) return;
    let work: (() => Promise<void>) | undefined;
    if (s.mode === 'spilling' && queue.length > 0) spillEntries(queue.splice(0));
    if (s.mode === 'spilling') {
      if (spill.count === 0) s.mode = 'direct';
      else if (!closed) work = replayStep;
    }
    if (
      s.mode === 'direct' &&
      queue.length > 0 &&
      (flushTimer === undefined || s.buffered >= o.batchLines || closed)
    ) {
      const take: Entry[] = [];
      let n = 0;
      while (queue.length > 0 && (take.length === 0 || n + queue[0]!.lines.length <= o.batchLines)) {
        const e = queue.shift()!;
        take.push(e);
        n += e.lines.length;
      }
      work = () => sendDirect(take);
    }
    s.buffered = queue.reduce((a, e) => a + e.lines.length, 0);
    if (!work) return;
    const job = work;
    pumping = job().finally(() => {
      pumping = undefined;
      s.buffered = queue.reduce((a, e) => a + e.lines.length, 0);
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
          s.mode = 'spilling'; // memory is full or InfluxDB is away: straight to disk, in order
          spillEntries([...queue.splice(0), entry]);
          s.buffered = 0;
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
    stats(): WriterStats {
      return { ...s, spilled: spill.count };
    },
    /** Flushes (no retries), spills what remains, stops. Lines in the spill stay for the next start. */
    async close(): Promise<{ lost: number }> {
      if (closed) return { lost: 0 };
      closed = true;
      const lostBefore = s.dropped;
      for (const t of [flushTimer, retryTimer]) if (t !== undefined) timers.clearTimeout(t);
      flushTimer = retryTimer = undefined;
      wakeSleep?.();
      const guard = timers.setTimeout(() => {
        abortAll = true;
        inFlight?.abort.abort();
      }, o.closeTimeoutMs);
      // a last flush without retries; what fails goes to the spill file
      while (queue.length > 0 || pumping) {
        pump();
        await pumping;
        if (!pumping && queue.length > 0) spillEntries(queue.splice(0));
      }
      timers.clearTimeout(guard);
      s.buffered = 0;
      return { lost: s.dropped - lostBefore };
    },
  };
}

export type InfluxWriter = ReturnType<typeof createInfluxWriter>;
