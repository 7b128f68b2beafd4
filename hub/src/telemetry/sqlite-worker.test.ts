import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runTelemetryContract } from './contract.ts';
import { DAY, grazingReadings, heartbeat, PATROL, patrolFixes, SETTOP, T0 } from './contract-data.ts';
import type { HealthPoint, PositionPoint, TelemetryBatch, TelemetryStore } from './port.ts';
import { openTelemetry } from '../telemetry-config.ts';
import { createSqliteTelemetryStore } from './sqlite.ts';
import { createWorkerSqliteTelemetryStore, telemetryWorkerOf } from './sqlite-worker.ts';
import { packBatch, unpackBatch } from './sqlite-worker-wire.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'steppelink-telemetry-worker-'));
const whole = { deviceId: PATROL, from: T0, to: T0 + DAY };

runTelemetryContract('sqlite in a worker thread', async ({ retentionMs }) => {
  const dir = tempDir();
  const store = createWorkerSqliteTelemetryStore({ path: join(dir, 'telemetry.db'), retentionMs });
  await store.start();
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite telemetry store in a worker thread', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  const open = async (): Promise<{ store: TelemetryStore; path: string }> => {
    const dir = tempDir();
    const path = join(dir, 'telemetry.db');
    const store = createWorkerSqliteTelemetryStore({ path });
    cleanups.push(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await store.start();
    return { store, path };
  };

  it('resolves a write once the batch is committed, and runs calls in the order they are made', async () => {
    const { store, path } = await open();
    await store.write({ positions: patrolFixes(20), health: [heartbeat(SETTOP, T0)] });
    // another connection to the file sees the rows: committed, not just handed over
    const db = new Database(path, { readonly: true });
    cleanups.push(() => void db.close());
    expect(db.prepare('SELECT count(*) FROM pos').pluck().get()).toBe(20);
    expect(store.health()).toMatchObject({ state: 'up', written: 21, buffered: 0 });

    // neither write awaited: the queries still see both, the correction last
    const fix = patrolFixes(1, { t0: T0 + DAY / 2 })[0]!;
    const corrected = { ...fix, lat: 42.5, msgId: 'corrected' };
    const w1 = store.write({ positions: [fix] });
    const w2 = store.write({ positions: [corrected] });
    expect(store.health().buffered).toBe(2);
    const [track, latest] = await Promise.all([store.track(whole), store.latestPositions([PATROL])]);
    expect(track.at(-1)).toEqual(corrected);
    expect(latest).toEqual([corrected]);
    await Promise.all([w1, w2]);
    expect(store.health()).toMatchObject({ written: 23, buffered: 0 });
  });

  it('rejects a failed write with the store error, counts it dropped, and recovers', async () => {
    const { store } = await open();
    const broken = { ...patrolFixes(1)[0]!, lat: null } as unknown as PositionPoint;
    const err = await store.write({ positions: [...patrolFixes(5), broken] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'SqliteError', code: 'SQLITE_CONSTRAINT_NOTNULL' });
    expect((err as Error).message).toMatch(/NOT NULL constraint failed: pos\.lat/);
    expect(await store.track(whole)).toEqual([]); // all or nothing
    expect(store.health()).toMatchObject({ state: 'degraded', dropped: 6, written: 0, buffered: 0 });
    expect(store.health().lastError).toMatch(/NOT NULL/);
    await store.write({ positions: patrolFixes(5) });
    expect(store.health()).toMatchObject({ state: 'up', dropped: 6, written: 5 });
    await expect(store.track({ ...whole, maxPoints: 0 })).rejects.toThrow(RangeError);
  });

  it('rejects the calls in flight clearly when the worker dies, never hangs, and the next call starts a new one', async () => {
    const { store } = await open();
    await store.write({ positions: patrolFixes(3) });
    // a large write keeps the thread busy, so everything below is still pending when it dies
    const big = store.write({ positions: patrolFixes(50_000, { t0: T0 + DAY, stepMs: 1_000 }) });
    const writes = [2, 3].map((i) => store.write({ positions: patrolFixes(10, { t0: T0 + i * 100 * DAY }) }));
    const query = store.latestPositions();
    expect(store.health().buffered).toBe(50_020);
    await telemetryWorkerOf(store)!.terminate();
    for (const w of [big, ...writes])
      await expect(w).rejects.toThrow(/SQLite worker thread exited unexpectedly/);
    await expect(query).rejects.toThrow(/worker thread exited/);
    const h = store.health();
    expect(h).toMatchObject({ adapter: 'sqlite', state: 'down', written: 3, dropped: 50_020, buffered: 0 });
    expect(h.lastError).toMatch(/worker thread exited unexpectedly \(exit code 1\)/);
    const dead = telemetryWorkerOf(store);
    expect(dead).toBeUndefined();

    // the next write (the processor's retry) brings a new thread; the counters carry on
    await store.write({ positions: patrolFixes(2, { t0: T0 + 9 * DAY }) });
    expect(telemetryWorkerOf(store)).toBeDefined();
    expect(store.health()).toMatchObject({ state: 'up', written: 5, dropped: 50_020 });
    expect(await store.track({ deviceId: PATROL, from: T0 + 9 * DAY, to: T0 + 10 * DAY })).toHaveLength(2);
    expect(await store.close()).toEqual({ unwritten: 0 });
    expect(store.health().state).toBe('closed');
  });

  it('rejects pending calls when the thread reports an error', async () => {
    const { store } = await open();
    const w = telemetryWorkerOf(store)!;
    const write = store.write({ positions: patrolFixes(3) });
    w.emit('error', new Error('out of memory (simulated)'));
    await expect(write).rejects.toThrow(/worker thread failed: out of memory \(simulated\)/);
    expect(store.health()).toMatchObject({
      state: 'down',
      lastError: expect.stringMatching(/out of memory/),
    });
    expect(telemetryWorkerOf(store)).toBeUndefined();
  });

  it('close() lets the writes already handed over commit, then closes', async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'telemetry.db');
    const store = createWorkerSqliteTelemetryStore({ path });
    await store.start();
    const w = telemetryWorkerOf(store)!;
    const writes = Array.from({ length: 20 }, (_, i) =>
      store.write({ positions: patrolFixes(50, { t0: T0 + i * DAY }) }),
    );
    const closed = store.close();
    expect(store.close()).toBe(closed);
    expect(await closed).toEqual({ unwritten: 0 });
    await Promise.all(writes);
    expect(store.health()).toMatchObject({ state: 'closed', written: 1000, dropped: 0, buffered: 0 });
    expect(telemetryWorkerOf(store)).toBeUndefined();
    expect(w.threadId).toBe(-1); // the thread is gone
    await expect(store.write({ positions: patrolFixes(1) })).rejects.toThrow(/state is 'closed'/);
    await expect(store.latestHealth()).rejects.toThrow(/state is 'closed'/);

    const again = createSqliteTelemetryStore({ path });
    await again.start();
    expect(await again.track({ deviceId: PATROL, from: 0, to: T0 + 30 * DAY })).toHaveLength(1000);
    await again.close();
  });

  it('refuses work before start like the in-thread store, and checks options at once', async () => {
    const store = createWorkerSqliteTelemetryStore({ path: join(tempDir(), 'telemetry.db') });
    await expect(store.track(whole)).rejects.toThrow(/call start\(\) first/);
    await expect(store.write({ positions: patrolFixes(2) })).rejects.toThrow(/start\(\)/);
    expect(store.health()).toMatchObject({ state: 'starting', dropped: 2 });
    expect(telemetryWorkerOf(store)).toBeUndefined();
    expect(await store.close()).toEqual({ unwritten: 0 });
    expect(() => createWorkerSqliteTelemetryStore({ path: '' })).toThrow(/pass `path`/);
    expect(() => createWorkerSqliteTelemetryStore({ path: 'x.db', retentionMs: -1 })).toThrow(/retentionMs/);
  });

  it('rejects start() when the file cannot be opened, leaving no thread behind', async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = createWorkerSqliteTelemetryStore({ path: dir }); // a folder, not a database file
    await expect(store.start()).rejects.toThrow();
    expect(telemetryWorkerOf(store)).toBeUndefined();
    expect(store.health().state).toBe('starting');
    await expect(store.track(whole)).rejects.toThrow(/call start\(\) first/);
  });

  it('runs in a process started with node --import tsx, and does not keep it alive', async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const mod = fileURLToPath(new URL('./sqlite-worker.ts', import.meta.url));
    const script = join(dir, 'script.mts'); // ESM: the temp folder has no package.json
    writeFileSync(
      script,
      `import { createWorkerSqliteTelemetryStore } from ${JSON.stringify(mod)};
      const s = createWorkerSqliteTelemetryStore({ path: ${JSON.stringify(join(dir, 't.db'))} });
      await s.start();
      await s.write({ positions: [{ deviceId: 'd', t: 1, lat: 42, lon: 108, msgId: 'm' }] });
      console.log(JSON.stringify(await s.latestPositions()));
      // no close(): the idle thread must not hold the process
      `,
    );
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', script], { timeout: 20_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    expect(JSON.parse(out)).toEqual([{ deviceId: 'd', t: 1, lat: 42, lon: 108, msgId: 'm' }]);
  });
});

describe('the hub default (openTelemetry)', () => {
  it('runs SQLite in a worker thread unless thread: false or STEPPELINK_TELEMETRY_THREAD=off', async () => {
    const dir = tempDir();
    const threadOf = async (store: TelemetryStore) => {
      await store.start();
      const w = telemetryWorkerOf(store);
      await store.write({ positions: patrolFixes(1) });
      expect(await store.latestPositions()).toHaveLength(1);
      await store.close();
      return w !== undefined;
    };
    try {
      expect(await threadOf(openTelemetry(undefined, dir, {}))).toBe(true);
      expect(
        await threadOf(openTelemetry({ adapter: 'sqlite' }, dir, { STEPPELINK_TELEMETRY_THREAD: 'on' })),
      ).toBe(true);
      expect(await threadOf(openTelemetry({ adapter: 'sqlite', thread: false }, dir, {}))).toBe(false);
      expect(await threadOf(openTelemetry(undefined, dir, { STEPPELINK_TELEMETRY_THREAD: 'off' }))).toBe(
        false,
      );
      expect(
        await threadOf(
          openTelemetry({ adapter: 'sqlite', thread: true }, dir, { STEPPELINK_TELEMETRY_THREAD: 'off' }),
        ),
      ).toBe(true);
      expect(() => openTelemetry(undefined, dir, { STEPPELINK_TELEMETRY_THREAD: 'yes' })).toThrow(
        /STEPPELINK_TELEMETRY_THREAD="yes": must be on .* or off/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('packed write batches', () => {
  const roundTrip = (b: TelemetryBatch) => {
    const p = packBatch(b);
    expect(p).toBeDefined();
    return unpackBatch(structuredClone(p!.packed, { transfer: p!.transfer }));
  };

  it('carry every field, absent ones stay absent', () => {
    const hb: HealthPoint = {
      deviceId: SETTOP,
      t: T0,
      power: 'battery',
      outbox: 0,
      uptimeS: 5,
      agent: 'a',
      msgId: 'x',
    };
    const batch = {
      positions: [
        ...patrolFixes(30),
        { deviceId: PATROL, subject: '', t: T0, lat: -0, lon: 0, alt: -12.5, msgId: '' },
        { deviceId: 'col-1', subject: 'herd-0007-sheep', t: 2 ** 53 - 1, lat: 1e-9, lon: 180, msgId: 'ü' },
      ],
      health: [heartbeat(SETTOP, T0), hb, heartbeat('stb-2', T0 + 1, { battery: 0, rssi: -120 })],
      grazing: grazingReadings(SETTOP, T0),
    };
    const back = roundTrip(batch);
    expect(back).toEqual(batch);
    expect(Object.is(back.positions![30]!.lat, -0)).toBe(true);
    expect(Object.keys(back.health![1]!).sort()).toEqual(Object.keys(hb).sort());
    expect(roundTrip({ grazing: batch.grazing })).toEqual({ grazing: batch.grazing });
    expect(roundTrip({})).toEqual({});
  });

  it('are not used for points the packed form cannot carry exactly', () => {
    const [p] = patrolFixes(1);
    for (const odd of [
      { lat: null },
      { lat: Number.NaN },
      { alt: null },
      { t: '1764028800000' },
      { subject: null },
      { msgId: 7 },
    ]) {
      expect(packBatch({ positions: [{ ...p!, ...odd } as unknown as PositionPoint] })).toBeUndefined();
    }
    expect(
      packBatch({ health: [{ ...heartbeat(SETTOP, T0), outbox: undefined } as unknown as HealthPoint] }),
    ).toBe(undefined);
  });
});
