import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortError, HttpError } from '@influxdata/influxdb-client';
import { afterEach, describe, expect, it } from 'vitest';
import { openSpill, type Spill } from './influx-spill.ts';
import { createInfluxWriter, type InfluxWriterOptions } from './influx-writer.ts';
import type { Timers } from './timers.ts';

/** Timers that fire only when the test says so, recording the delays asked for. */
function manualTimers() {
  let seq = 0;
  const pending = new Map<number, { fn: () => void; ms: number }>();
  const timers: Timers = {
    setTimeout(fn, ms) {
      pending.set(++seq, { fn, ms });
      return seq;
    },
    clearTimeout(h) {
      pending.delete(h as number);
    },
  };
  return {
    timers,
    delays: () => [...pending.values()].map((p) => p.ms),
    /** fires the earliest-registered timer with this delay (or any) */
    fire(ms?: number) {
      const entry = [...pending.entries()].find(([, p]) => ms === undefined || p.ms === ms);
      if (!entry) throw new Error(`no timer pending${ms === undefined ? '' : ` for ${ms} ms`}`);
      pending.delete(entry[0]);
      entry[1].fn();
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8086'), { code: 'ECONNREFUSED' });
const lines = (prefix: string, n: number) =>
  Array.from(
    { length: n },
    (_, i) => `pos,device=${prefix} lat=42.1,lon=108.4,msgId="${prefix}:${i}" ${1764028800000 + i}`,
  );

describe('influx writer (fake InfluxDB, real spill file)', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  function setup(opts: Partial<InfluxWriterOptions> = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'steppelink-writer-'));
    const spill: Spill = openSpill(join(dir, 'spill.db'));
    cleanups.push(() => {
      spill.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const t = manualTimers();
    const sent: string[] = [];
    let behaviour: (body: string, signal: AbortSignal) => Promise<void> = async () => {};
    const writer = createInfluxWriter(
      {
        batchLines: 10,
        flushIntervalMs: 50,
        inlineRetries: 1,
        backoff: { minDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitterRatio: 0.5, maxRetryAfterMs: 60_000 },
        ...opts,
      },
      {
        spill,
        timers: t.timers,
        random: () => 1, // the whole backoff step, no jitter
        send: async (body, signal) => {
          sent.push(body);
          await behaviour(body, signal);
        },
      },
    );
    return { writer, spill, t, sent, behave: (b: typeof behaviour) => (behaviour = b) };
  }

  it('flushes on the interval, or at once when a batch fills up', async () => {
    const { writer, t, sent } = setup();
    const small = writer.write(lines('a', 3));
    await settle();
    expect(sent).toEqual([]);
    expect(t.delays()).toEqual([50]);
    t.fire(50);
    await small;
    expect(sent).toHaveLength(1);
    await writer.write(lines('b', 10)); // a full batch does not wait
    expect(sent).toHaveLength(2);
    expect(writer.stats()).toMatchObject({ mode: 'direct', written: 13, buffered: 0 });
  });

  it('retries a blip inline without touching the disk', async () => {
    const { writer, t, sent, behave } = setup();
    let calls = 0;
    behave(async () => {
      if (calls++ === 0) throw new HttpError(503, 'Service Unavailable');
    });
    const w = writer.write(lines('a', 10));
    await settle();
    expect(t.delays()).toEqual([100]); // first backoff step
    t.fire(100);
    await w;
    expect(sent).toHaveLength(2);
    expect(writer.stats()).toMatchObject({ mode: 'direct', written: 10, spilledTotal: 0 });
  });

  it('spills during an outage, backs off exponentially, honours Retry-After, replays oldest first', async () => {
    const { writer, spill, t, sent, behave } = setup();
    behave(async () => {
      throw refused();
    });
    const w = writer.write(lines('a', 10));
    await settle();
    t.fire(100); // the inline retry fails too
    await w; // durable in the spill file
    expect(writer.stats()).toMatchObject({ mode: 'spilling', spilled: 10 });
    await writer.write(lines('b', 4)); // straight to disk, no request
    await writer.write(lines('c', 4));
    expect(spill.count).toBe(18);

    // replay loop: 100, 200, 400 ms ... (random() = 1 → the whole step)
    await settle();
    const before = sent.length;
    expect(t.delays()).toEqual([100]);
    t.fire(100);
    await settle();
    expect(t.delays()).toEqual([200]);
    behave(async () => {
      throw new HttpError(429, 'Too Many Requests', '', '7', 'text/plain', undefined, { 'retry-after': '7' });
    });
    t.fire(200);
    await settle();
    expect(t.delays()).toEqual([7_000]); // Retry-After: 7 s
    behave(async () => {});
    t.fire(7_000);
    for (let i = 0; i < 5; i++) await settle();
    const replayed = sent.slice(before + 2).join('\n');
    expect(replayed.indexOf('device=a')).toBeLessThan(replayed.indexOf('device=b'));
    expect(replayed.indexOf('device=b')).toBeLessThan(replayed.indexOf('device=c'));
    expect(writer.stats()).toMatchObject({ mode: 'direct', spilled: 0, written: 18, dropped: 0 });
  });

  it('drops only what InfluxDB refuses for good, and says so', async () => {
    const { writer, t, behave } = setup();
    behave(async () => {
      throw new HttpError(
        400,
        'Bad Request',
        '{"error":"partial write: field type conflict dropped=2"}',
        null,
        'application/json',
      );
    });
    const w = writer.write(lines('a', 5));
    t.fire(50);
    await expect(w).rejects.toThrow(/refused 2 of 5 points/);
    expect(writer.stats()).toMatchObject({ dropped: 2, written: 3, spilledTotal: 0 });
  });

  it('close() aborts a hung request after its patience and keeps those points in the spill', async () => {
    const { writer, spill, t, behave } = setup({ closeTimeoutMs: 3_000 });
    let aborted = false;
    behave(
      (_body, signal) =>
        new Promise<void>((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new AbortError());
          }),
        ),
    );
    const w = writer.write(lines('a', 10));
    await settle();
    const closing = writer.close();
    await settle();
    expect(t.delays()).toContain(3_000);
    t.fire(3_000);
    await w; // resolved: its lines went to the spill file
    expect(await closing).toEqual({ lost: 0 });
    expect(aborted).toBe(true);
    expect(spill.count).toBe(10);
    await expect(writer.write(lines('b', 1))).rejects.toThrow(/closed/);
  });
});
