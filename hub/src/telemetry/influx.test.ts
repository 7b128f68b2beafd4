import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type InfluxdHandle, startInfluxd } from '../../../tests/support/influxd.ts';
import { runTelemetryContract } from './contract.ts';
import { DAY, grazingReadings, heartbeat, PATROL, patrolFixes, SETTOP, T0 } from './contract-data.ts';
import {
  createInfluxTelemetryStore,
  type InfluxTelemetryOptions,
  type InfluxTelemetryStore,
} from './influx.ts';

let influxd: InfluxdHandle;
let dbSeq = 0;
beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.stop();
});

const tempDir = () => mkdtempSync(join(tmpdir(), 'steppelink-influx-'));
const fast = { flushIntervalMs: 5, backoff: { minDelayMs: 20, maxDelayMs: 200 } };

runTelemetryContract(
  'influx',
  async ({ retentionMs }) => {
    const dir = tempDir();
    const store = createInfluxTelemetryStore({
      url: influxd.url,
      database: `contract_${process.pid}_${++dbSeq}`,
      spillPath: join(dir, 'influx-spill.db'),
      retentionMs,
      ...fast,
    });
    await store.start();
    return {
      store,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { propertyRuns: 10 },
);

describe('influx adapter against a real influxd', () => {
  const opened: { store: InfluxTelemetryStore; dir: string }[] = [];
  afterEach(async () => {
    for (const { store, dir } of opened.splice(0)) {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
    if (!(await ping())) await influxd.restart(); // a failed test must not leave the server down
  });
  const ping = async () =>
    fetch(`${influxd.url}/ping`).then(
      (r) => r.status === 204,
      () => false,
    );
  const open = async (extra: Partial<InfluxTelemetryOptions> = {}, dir = tempDir()) => {
    const store = createInfluxTelemetryStore({
      url: influxd.url,
      database: `adapter_${process.pid}_${++dbSeq}`,
      spillPath: join(dir, 'influx-spill.db'),
      ...fast,
      ...extra,
    });
    opened.push({ store, dir });
    await store.start();
    return store;
  };
  const drained = (store: InfluxTelemetryStore) =>
    vi.waitFor(() => expect(store.health()).toMatchObject({ spilled: 0, state: 'up' }), {
      timeout: 30_000,
      interval: 20,
    });
  const whole = { deviceId: PATROL, from: 0, to: T0 + 10 * DAY };

  it('spills while influxd is down, says degraded, and replays in order when it is back', async () => {
    const store = await open();
    const before = patrolFixes(10);
    await store.write({ positions: before });
    await influxd.kill();
    const during = patrolFixes(100, { t0: T0 + DAY });
    for (let i = 0; i < during.length; i += 10) await store.write({ positions: during.slice(i, i + 10) });
    // a correction of one fix, written after the original: replay order decides which one stays
    const corrected = { ...during[5]!, lat: 42.5, msgId: 'trk-patrol-150825-03:pos:fix' };
    await store.write({ positions: [corrected] });
    const h = store.health();
    expect(h).toMatchObject({ adapter: 'influx', state: 'degraded', spilled: 101, written: 10, dropped: 0 });
    expect(h.lastError).toMatch(/ECONNREFUSED/);
    await expect(store.track(whole)).rejects.toThrow();

    await influxd.restart();
    await drained(store);
    const expected = [...before, ...during];
    expected[15] = corrected;
    expect(await store.track(whole)).toEqual(expected);
    expect(store.health()).toMatchObject({ written: 111, spilledTotal: 101, dropped: 0 });
  });

  it('keeps spilled points across a hub restart: close() reports them, the next start replays them', async () => {
    const dir = tempDir();
    const database = `restart_${process.pid}_${++dbSeq}`;
    await influxd.kill();
    const a = await open({ database }, dir);
    expect(a.health().state).toBe('degraded'); // CREATE DATABASE found nobody at start
    await a.write({ positions: patrolFixes(50), health: [heartbeat(SETTOP, T0)] });
    expect(await a.close()).toEqual({ unwritten: 51, spilled: 51, lost: 0 });

    await influxd.restart();
    const b = await open({ database }, dir);
    await drained(b);
    expect(await b.track(whole)).toEqual(patrolFixes(50));
    expect(await b.latestHealth([SETTOP])).toEqual([heartbeat(SETTOP, T0)]);
    expect((await b.close()).unwritten).toBe(0);
  });

  it('diverts to the spill file when the memory buffer is full, instead of dropping', async () => {
    const store = await open({ maxBufferLines: 10, flushIntervalMs: 60_000, batchLines: 1_000 });
    const first = store.write({ positions: patrolFixes(8) }); // waits in memory for company
    expect(store.health()).toMatchObject({ buffered: 8, spilled: 0 });
    await store.write({ positions: patrolFixes(5, { t0: T0 + DAY }) }); // 13 > 10: both go to disk
    await first;
    expect(store.health()).toMatchObject({ buffered: 0, spilledTotal: 13, dropped: 0 });
    await drained(store);
    expect(await store.track(whole)).toHaveLength(13);
  });

  it('refuses and counts points when the spill is full too, and recovers', async () => {
    const store = await open({ maxSpillLines: 50 });
    await influxd.kill();
    for (let i = 0; i < 5; i++) await store.write({ positions: patrolFixes(10, { t0: T0 + i * DAY }) });
    await expect(store.write({ positions: patrolFixes(10, { t0: T0 + 6 * DAY }) })).rejects.toThrow(
      /spill is full/,
    );
    expect(store.health()).toMatchObject({ state: 'down', spilled: 50, dropped: 10 });

    await influxd.restart();
    await drained(store);
    await store.write({ positions: patrolFixes(10, { t0: T0 + 7 * DAY }) });
    expect(await store.track(whole)).toHaveLength(60);
    expect(store.health()).toMatchObject({ state: 'up', written: 60, dropped: 10 });
  });

  it('rejects points InfluxDB refuses for good (field type conflict), counts them, keeps the rest', async () => {
    const store = await open();
    const [water] = grazingReadings(SETTOP, T0).filter((g) => g.type === 'water');
    await store.write({ grazing: [water!] });
    const conflicting = { ...water!, t: T0 + 5_000, values: { levelPct: 'high' } };
    const fine = patrolFixes(3);
    await expect(store.write({ grazing: [conflicting], positions: fine })).rejects.toThrow(/refused 1 of 4/);
    expect(store.health()).toMatchObject({ state: 'up', dropped: 1, written: 4 });
    expect(store.health().lastError).toMatch(/field type conflict/);
    expect(await store.track(whole)).toEqual(fine);
    // a point the client cannot even encode (NaN) is refused and counted too
    await expect(store.write({ positions: [{ ...fine[0]!, lat: Number.NaN }] })).rejects.toThrow(
      /not writable/,
    );
    expect(store.health().dropped).toBe(2);
  });
});
