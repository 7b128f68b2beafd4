import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { incidentMigrations } from '../incidents/migrations.ts';
import { silentLogger } from '../log.ts';
import { type Db, migrate, openDatabase } from '../state/db.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { Deliverer, type DelivererOptions, type DeliveryRow } from './deliverer.ts';
import type { ChannelName, Notifier, Outcome } from './port.ts';
import { SqliteDeliveryStore } from './sqlite-deliveries.ts';

const BOX = 'stb-150824-104-0007'; // 巴音哈太嘎查, household of 其其格
const T0 = 1_764_028_800_000;

/**
 * A household box's sos-ack channel that answers each send with the next scripted outcome and,
 * while `held`, keeps the send open until `release()` (a slow broker write).
 */
class ScriptedBox implements Notifier {
  readonly channel = 'device' as const;
  readonly sent: number[] = [];
  held = false;
  /** When set, each send's outcome is handed through it (a test scheduler decides when it ends). */
  gate?: (outcome: Promise<Outcome>) => Promise<Outcome>;
  private waiting: (() => void)[] = [];
  constructor(private readonly script: Map<number, Outcome[]> = new Map()) {}
  render() {
    return null;
  }
  async deliver(payload: unknown): Promise<Outcome> {
    const n = (payload as { n: number }).n;
    this.sent.push(n);
    if (this.held) await new Promise<void>((r) => this.waiting.push(r));
    const outcome = this.script.get(n)?.shift() ?? { status: 'queued' };
    return this.gate ? this.gate(Promise.resolve(outcome)) : outcome;
  }
  release(): void {
    for (const w of this.waiting.splice(0)) w();
  }
}

describe('Deliverer', () => {
  let dir: string;
  let db: Db;
  let clock: ManualClock;
  const opened: Deliverer[] = [];
  const boxes: ScriptedBox[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sl-deliverer-'));
    db = openDatabase(join(dir, 'state.db'));
    migrate(db, 'incidents', incidentMigrations);
    clock = new ManualClock(T0);
  });
  afterEach(async () => {
    for (const b of boxes.splice(0)) {
      b.held = false;
      b.release();
    }
    for (const d of opened.splice(0)) await d.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deliverer = (box: ScriptedBox, more: Partial<DelivererOptions> = {}) => {
    boxes.push(box);
    const channels = new Map<ChannelName, Notifier>([['device', box]]);
    const opts = {
      baseDelayMs: 2_000,
      maxDelayMs: 60_000,
      maxAttempts: 8,
      concurrency: 4,
      batch: 50,
      ...more,
    };
    const d = new Deliverer(new SqliteDeliveryStore(db), channels, clock, opts, silentLogger(), () => 0);
    opened.push(d);
    return d;
  };
  /** Inserts the n-th sos-ack for the box as a pending row (what the engine's outbox writes). */
  const insert = (n: number, o: { status?: string; nextTryAt?: number; key?: string } = {}): DeliveryRow => {
    const payload = JSON.stringify({ n });
    const key = `sos-ack:${o.key ?? 'test'}-${n}`;
    const device = o.key ? `${BOX}-${o.key}` : BOX; // a box of its own per property run
    const r = db
      .prepare(
        `INSERT INTO deliveries (key, kind, device, channel, payload, status, attempts, next_try_at, created_at, updated_at)
         VALUES (?, 'sos-ack', ?, 'device', ?, ?, 0, ?, ?, ?)`,
      )
      .run(key, device, payload, o.status ?? 'pending', o.nextTryAt ?? clock.now(), T0, T0);
    return {
      id: Number(r.lastInsertRowid),
      key,
      channel: 'device',
      device,
      payload,
      attempts: 0,
    };
  };
  const rows = () =>
    db.prepare('SELECT key, payload, status, attempts FROM deliveries ORDER BY id').all() as {
      key: string;
      payload: string;
      status: string;
      attempts: number;
    }[];

  it('sends a transaction’s sos-acks to a box in order, each once, and records every outcome', async () => {
    const box = new ScriptedBox();
    const d = deliverer(box);
    const fresh = [insert(1), insert(2), insert(3)];
    expect(d.sendFresh(fresh)).toBe(true); // nothing older for this box: no pump needed
    await d.idle();
    expect(box.sent).toEqual([1, 2, 3]);
    expect(rows().map((r) => [r.status, r.attempts])).toEqual([
      ['queued', 1],
      ['queued', 1],
      ['queued', 1],
    ]);
    expect(d.backlog()).toBe(0);
  });

  it('never sends a row twice or out of order, whenever pumps, send ends and outcome writes interleave', async () => {
    // The pump may look (kicked by other work) while a box's sos-acks are on their way, right
    // after one ended, or before its outcome is written: under every ordering fast-check's
    // scheduler picks for those, each sos-ack goes exactly once and in order, and all are recorded.
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 6 }),
        async (s, n, kicks) => {
          round++;
          const box = new ScriptedBox();
          box.gate = (sent) => s.schedule(sent, `box ends send ${box.sent.length}`);
          const d = deliverer(box, {
            endOfTurn: (fn) => void s.schedule(Promise.resolve(), 'write outcomes').then(fn),
          });
          const fresh = Array.from({ length: n }, (_, i) => insert(i + 1, { key: `r${round}` }));
          for (let k = 0; k < kicks; k++)
            void s.schedule(Promise.resolve(), `kick ${k}`).then(() => d.kick());
          d.sendFresh(fresh);
          for (;;) {
            await s.waitAll();
            await new Promise((r) => setImmediate(r)); // a pump queued by the last step may schedule more
            if (s.count() === 0) break;
          }
          await d.idle();
          expect(box.sent).toEqual(fresh.map((_, i) => i + 1));
          const mine = rows().filter((r) => r.key.startsWith(`sos-ack:r${round}-`));
          expect(mine.map((r) => [r.status, r.attempts])).toEqual(fresh.map(() => ['queued', 1]));
          await d.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('holds the later sos-acks behind one that must be retried, then sends them in order', async () => {
    const box = new ScriptedBox(new Map([[2, [{ status: 'retry', error: 'broker not accepting' }]]]));
    const d = deliverer(box);
    d.sendFresh([insert(1), insert(2), insert(3)]);
    await d.idle();
    expect(box.sent).toEqual([1, 2]); // 3 must not overtake 2: the box would show an older state last
    expect(rows().map((r) => r.status)).toEqual(['queued', 'retry', 'pending']);
    await clock.advance(1_000); // first backoff, jitter pinned to its lower half
    await d.idle();
    expect(box.sent).toEqual([1, 2, 2, 3]);
    expect(rows().map((r) => [r.status, r.attempts])).toEqual([
      ['queued', 1],
      ['queued', 2],
      ['queued', 1],
    ]);
  });

  it('leaves fresh sos-acks to the pump while an older one for the box is unfinished', async () => {
    const box = new ScriptedBox();
    const d = deliverer(box);
    insert(1, { status: 'retry', nextTryAt: T0 + 5_000 }); // from an earlier outage, due later
    expect(d.sendFresh([insert(2), insert(3)])).toBe(false);
    d.kick();
    await d.idle();
    expect(box.sent).toEqual([]);
    await clock.advance(5_000);
    await d.idle();
    expect(box.sent).toEqual([1, 2, 3]);
    expect(rows().map((r) => r.status)).toEqual(['queued', 'queued', 'queued']);
  });

  it('sends again what it could not record as sent, rather than lose it', async () => {
    const box = new ScriptedBox();
    const d = deliverer(box);
    const fresh = [insert(1)];
    db.pragma('query_only = ON'); // the outcome write fails (as on a full disk)
    d.sendFresh(fresh);
    await d.idle();
    expect(box.sent).toEqual([1]);
    expect(rows()[0]).toMatchObject({ status: 'pending', attempts: 0 });
    db.pragma('query_only = OFF');
    await clock.advance(2_000); // the deliverer looks again after the base delay
    await d.idle();
    expect(box.sent).toEqual([1, 1]); // at least once: the box dedups sos-acks by id
    expect(rows()[0]).toMatchObject({ status: 'queued', attempts: 1 });
  });

  it('writes outcomes that are only queued when it closes, so a restart does not send them again', async () => {
    const box = new ScriptedBox();
    const d = deliverer(box);
    d.sendFresh([insert(1), insert(2)]);
    while (box.sent.length < 2) await new Promise((r) => queueMicrotask(() => r(undefined)));
    await d.close(); // before the end-of-turn write
    expect(rows().map((r) => r.status)).toEqual(['queued', 'queued']);
    const again = new ScriptedBox();
    const restarted = deliverer(again);
    restarted.kick();
    await restarted.idle();
    expect(again.sent).toEqual([]);
  });
});
