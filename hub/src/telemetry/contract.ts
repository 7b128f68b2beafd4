import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  collarFix,
  DAY,
  grazingReadings,
  heartbeat,
  MIN,
  PATROL,
  patrolFixes,
  RELAY,
  SETTOP,
  T0,
} from './contract-data.ts';
import type { PositionPoint, TelemetryStore } from './port.ts';
import { thinSorted } from './thin.ts';

export interface ContractStore {
  store: TelemetryStore;
  /** closes the store if still open and removes its files/database */
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** fast-check runs of the out-of-order property (each run writes to the store) */
  propertyRuns?: number;
}

const RETENTION_MS = 90 * DAY;

/**
 * The behaviour every TelemetryStore adapter must show. Each test gets a fresh, started store
 * from `makeStore` (with the retention it asks for).
 */
export function runTelemetryContract(
  name: string,
  makeStore: (opts: { retentionMs: number }) => Promise<ContractStore>,
  options: ContractOptions = {},
): void {
  describe(`TelemetryStore contract: ${name}`, () => {
    let ctx: ContractStore;
    let store: TelemetryStore;
    beforeEach(async () => {
      ctx = await makeStore({ retentionMs: RETENTION_MS });
      store = ctx.store;
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('reports up after start and counts written points', async () => {
      expect(store.health().state).toBe('up');
      await store.write({ positions: patrolFixes(3), health: [heartbeat(SETTOP, T0)] });
      expect(store.health()).toMatchObject({ state: 'up', written: 4, dropped: 0 });
    });

    it('returns a track in source-time order with every field, whatever the write order', async () => {
      const fixes = patrolFixes(30);
      await store.write({ positions: fixes.slice(20) });
      await store.write({ positions: fixes.slice(0, 10).reverse() });
      await store.write({ positions: fixes.slice(10, 20) });
      const track = await store.track({ deviceId: PATROL, from: T0, to: T0 + DAY });
      expect(track).toEqual(fixes);
    });

    it('honours inclusive range bounds and keeps devices and subjects apart', async () => {
      const fixes = patrolFixes(10);
      const other = patrolFixes(10, { deviceId: 'trk-patrol-150825-07' });
      await store.write({ positions: [...fixes, ...other] });
      const mid = await store.track({ deviceId: PATROL, from: fixes[2]!.t, to: fixes[5]!.t });
      expect(mid).toEqual(fixes.slice(2, 6));
      expect(await store.track({ deviceId: PATROL, from: fixes[2]!.t + 1, to: fixes[3]!.t - 1 })).toEqual([]);
      expect(await store.track({ deviceId: PATROL, from: T0 + 10, to: T0 })).toEqual([]);
      expect(await store.track({ deviceId: 'trk-unknown', from: T0, to: T0 + DAY })).toEqual([]);

      const sheep = [
        collarFix(T0, 'herd-0007-sheep', 42.1302, 108.4511),
        collarFix(T0 + MIN, 'herd-0007-sheep', 42.1305, 108.452),
      ];
      const camel = [collarFix(T0, 'herd-0007-camel', 42.1402, 108.4611)];
      await store.write({ positions: [...sheep, ...camel] });
      expect(
        await store.track({ deviceId: RELAY, from: T0, to: T0 + DAY, subject: 'herd-0007-sheep' }),
      ).toEqual(sheep);
      const all = await store.track({ deviceId: RELAY, from: T0, to: T0 + DAY });
      expect(all.map((p) => [p.t, p.subject])).toEqual([
        [T0, 'herd-0007-camel'],
        [T0, 'herd-0007-sheep'],
        [T0 + MIN, 'herd-0007-sheep'],
      ]);
    });

    it('downsamples evenly in time to at most maxPoints real fixes', async () => {
      // two walks with a 3-hour gap (the patrol rested at the station)
      const a = patrolFixes(600, { stepMs: 5_000 });
      const b = patrolFixes(400, { t0: T0 + 4 * 3600_000, stepMs: 5_000 });
      const fixes = [...a, ...b];
      await store.write({ positions: fixes });
      const from = T0;
      const to = T0 + 6 * 3600_000;
      const thinned = await store.track({ deviceId: PATROL, from, to, maxPoints: 50 });
      expect(thinned.length).toBeLessThanOrEqual(50);
      expect(thinned.length).toBeGreaterThan(10);
      expect(thinned[0]).toEqual(fixes[0]);
      expect(thinned).toEqual(thinSorted(fixes, 50));
      // a continuous walk fills the budget exactly, one fix per equal slice of time
      const walk = await store.track({ deviceId: PATROL, from, to: a.at(-1)!.t, maxPoints: 50 });
      expect(walk).toHaveLength(50);
      expect(walk).toEqual(thinSorted(a, 50));
      // no point inside the rest gap is invented
      expect(thinned.some((p) => p.t > a.at(-1)!.t && p.t < b[0]!.t)).toBe(false);
      // under the budget: every fix
      expect(await store.track({ deviceId: PATROL, from, to, maxPoints: 5_000 })).toEqual(fixes);
      await expect(store.track({ deviceId: PATROL, from, to, maxPoints: 0 })).rejects.toThrow(/maxPoints/);
    });

    it('keeps the latest position per device by source time, not arrival order', async () => {
      const [p1, p2, p3] = patrolFixes(3, { stepMs: MIN });
      const other = patrolFixes(2, { deviceId: 'trk-patrol-150824-01' });
      await store.write({ positions: [p3!, ...other] });
      await store.write({ positions: [p1!] }); // a late, older fix from the device's outbox
      expect(await store.latestPositions([PATROL])).toEqual([p3]);
      await store.write({ positions: [p2!] });
      expect(await store.latestPositions([PATROL])).toEqual([p3]);
      const newer = { ...p3!, t: p3!.t + MIN, lat: 42.5, msgId: 'trk-patrol-150825-03:pos:99' };
      await store.write({ positions: [newer] });
      expect(await store.latestPositions([PATROL])).toEqual([newer]);
      const all = await store.latestPositions();
      expect(all.map((p) => p.deviceId).sort()).toEqual(['trk-patrol-150824-01', PATROL]);
      expect(all.find((p) => p.deviceId === 'trk-patrol-150824-01')).toEqual(other[1]);
      expect(await store.latestPositions(['trk-unknown'])).toEqual([]);
      expect(await store.latestPositions([])).toEqual([]);
    });

    it('stores a redelivered batch once', async () => {
      const batch = {
        positions: patrolFixes(20),
        health: [heartbeat(SETTOP, T0), heartbeat(SETTOP, T0 + MIN)],
        grazing: grazingReadings(SETTOP, T0),
      };
      await store.write(batch);
      await store.write(batch);
      await store.write({ positions: batch.positions.slice(5, 9) });
      expect(await store.track({ deviceId: PATROL, from: T0, to: T0 + DAY })).toEqual(batch.positions);
      expect(await store.grazing({ deviceId: SETTOP, from: T0, to: T0 + DAY })).toEqual(batch.grazing);
      expect(await store.latestHealth([SETTOP])).toEqual([batch.health[1]]);
    });

    it('round-trips heartbeats (latest by source time) and grazing readings', async () => {
      const late = heartbeat(SETTOP, T0, { power: 'battery', battery: 12 });
      const newest = heartbeat(SETTOP, T0 + 5 * MIN, { power: 'mains', outbox: 0 });
      const bare = {
        deviceId: PATROL,
        t: T0,
        power: 'battery',
        outbox: 0,
        uptimeS: 5,
        agent: '0.1.0',
        msgId: 'x',
      } as const;
      await store.write({ health: [newest, bare] });
      await store.write({ health: [late] });
      expect(await store.latestHealth([SETTOP])).toEqual([newest]);
      expect((await store.latestHealth()).sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1))).toEqual([
        newest,
        bare,
      ]);

      const readings = grazingReadings(SETTOP, T0);
      const later = grazingReadings(SETTOP, T0 + DAY);
      await store.write({ grazing: [...later, ...readings] });
      expect(await store.grazing({ deviceId: SETTOP, from: T0, to: T0 + 2_000 })).toEqual(
        readings.slice(0, 3),
      );
      expect(await store.grazing({ deviceId: SETTOP, from: T0, to: T0 + 2 * DAY })).toEqual([
        ...readings,
        ...later,
      ]);
      expect(await store.grazing({ deviceId: RELAY, from: T0, to: T0 + 2 * DAY })).toEqual([]);
    });

    it('deletes points older than the retention and says how many', async () => {
      const old = patrolFixes(5, { t0: T0 - 100 * DAY });
      const recent = patrolFixes(5);
      const goneDevice = patrolFixes(2, { deviceId: 'trk-patrol-150824-09', t0: T0 - 95 * DAY });
      await store.write({
        positions: [...old, ...recent, ...goneDevice],
        health: [heartbeat(SETTOP, T0 - 99 * DAY), heartbeat(SETTOP, T0)],
        grazing: [...grazingReadings(SETTOP, T0 - 98 * DAY), ...grazingReadings(SETTOP, T0)],
      });
      const { deleted } = await store.applyRetention(T0);
      expect(deleted).toBe(5 + 2 + 1 + 4);
      expect(await store.track({ deviceId: PATROL, from: 0, to: T0 + DAY })).toEqual(recent);
      expect(await store.latestPositions(['trk-patrol-150824-09'])).toEqual([]);
      expect(await store.latestPositions([PATROL])).toEqual([recent.at(-1)]);
      expect(await store.grazing({ deviceId: SETTOP, from: 0, to: T0 + DAY })).toHaveLength(4);
      expect((await store.applyRetention(T0)).deleted).toBe(0);
    });

    it('close() reports nothing unwritten once writes resolved, then refuses work', async () => {
      await store.write({ positions: patrolFixes(10), grazing: grazingReadings(SETTOP, T0) });
      expect(await store.close()).toMatchObject({ unwritten: 0 });
      expect(store.health().state).toBe('closed');
      await expect(store.write({ positions: patrolFixes(1) })).rejects.toThrow();
      await expect(store.track({ deviceId: PATROL, from: T0, to: T0 + DAY })).rejects.toThrow();
    });

    it('property: any split and order of writes gives a sorted, duplicate-free track and the max-t latest', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 40 }),
          fc.array(fc.nat(40), { maxLength: 6 }),
          fc.boolean(),
          async (offsets, cuts, redeliver) => {
            const deviceId = `trk-prop-150825-${run++}`;
            const fixes: PositionPoint[] = offsets.map((dt, i) => ({
              deviceId,
              t: T0 + dt * 1_000,
              lat: 41.5 + i / 1_000,
              lon: 107 + i / 1_000,
              msgId: `${deviceId}:pos:${i}`,
            }));
            const bounds = [...new Set([0, ...cuts.map((c) => c % (fixes.length + 1)), fixes.length])].sort(
              (a, b) => a - b,
            );
            for (let i = 1; i < bounds.length; i++)
              await store.write({ positions: fixes.slice(bounds[i - 1], bounds[i]) });
            if (redeliver) await store.write({ positions: fixes.slice(0, Math.ceil(fixes.length / 2)) });
            const sorted = [...fixes].sort((a, b) => a.t - b.t);
            expect(await store.track({ deviceId, from: T0, to: T0 + 2 * DAY })).toEqual(sorted);
            expect(await store.latestPositions([deviceId])).toEqual([sorted.at(-1)]);
          },
        ),
        { numRuns: options.propertyRuns ?? 25 },
      );
    });
  });
}
