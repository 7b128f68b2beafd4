import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTelemetryContract } from './contract.ts';
import { DAY, heartbeat, PATROL, patrolFixes, SETTOP, T0 } from './contract-data.ts';
import type { PositionPoint, TelemetryStore } from './port.ts';
import { createSqliteTelemetryStore } from './sqlite.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'steppelink-telemetry-'));

runTelemetryContract('sqlite', async ({ retentionMs }) => {
  const dir = tempDir();
  const store = createSqliteTelemetryStore({ path: join(dir, 'telemetry.db'), retentionMs });
  await store.start();
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite telemetry store', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  const open = async (
    dir: string,
    opts: { retentionChunkDevices?: number } = {},
  ): Promise<TelemetryStore> => {
    const store = createSqliteTelemetryStore({ path: join(dir, 'sub', 'telemetry.db'), ...opts });
    await store.start();
    cleanups.unshift(async () => void (await store.close()));
    return store;
  };

  it('keeps data across a reopen of the same file, latest view included', async () => {
    const dir = tempDir();
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const a = await open(dir);
    await a.write({ positions: patrolFixes(50), health: [heartbeat(SETTOP, T0)] });
    await a.close();
    const b = await open(dir);
    expect(await b.track({ deviceId: PATROL, from: T0, to: T0 + DAY })).toHaveLength(50);
    expect(await b.latestPositions([PATROL])).toEqual([patrolFixes(50).at(-1)]);
    expect(await b.latestHealth()).toEqual([heartbeat(SETTOP, T0)]);
  });

  it('commits a batch all or nothing and counts a failed batch as dropped', async () => {
    const dir = tempDir();
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const s = await open(dir);
    const broken = { ...patrolFixes(1)[0]!, lat: null } as unknown as PositionPoint;
    await expect(s.write({ positions: [...patrolFixes(5), broken] })).rejects.toThrow(/NOT NULL/);
    expect(await s.track({ deviceId: PATROL, from: T0, to: T0 + DAY })).toEqual([]);
    expect(s.health()).toMatchObject({ state: 'degraded', dropped: 6, written: 0 });
    expect(s.health().lastError).toMatch(/NOT NULL/);
    await s.write({ positions: patrolFixes(5) });
    expect(s.health()).toMatchObject({ state: 'up', dropped: 6, written: 5 });
  });

  it('walks retention in device chunks and deletes only what is old', async () => {
    const dir = tempDir();
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const s = await open(dir, { retentionChunkDevices: 3 });
    const positions = Array.from({ length: 10 }, (_, i) => [
      ...patrolFixes(2, { deviceId: `trk-150825-${i}`, t0: T0 - 120 * DAY }),
      ...patrolFixes(1, { deviceId: `trk-150825-${i}`, t0: T0 }),
    ]).flat();
    await s.write({ positions });
    expect(await s.applyRetention(T0)).toEqual({ deleted: 20 });
    expect(await s.latestPositions()).toHaveLength(10);
  });

  it('refuses work before start and explains', async () => {
    const s = createSqliteTelemetryStore({ path: join(tempDir(), 'telemetry.db') });
    await expect(s.track({ deviceId: PATROL, from: 0, to: 1 })).rejects.toThrow(/call start\(\) first/);
    await expect(s.write({ positions: patrolFixes(1) })).rejects.toThrow(/start\(\)/);
    expect(() => createSqliteTelemetryStore({ path: '' })).toThrow(/pass `path`/);
  });
});
