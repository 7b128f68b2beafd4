import { describe, expect, it } from 'vitest';
import { deviceIndex, pointsIn } from './points.ts';

const row = (id: string, over: Partial<Parameters<typeof deviceIndex>[0][number]> = {}) => ({
  id,
  kind: 'settop' as const,
  household: null,
  label: null,
  homeName: null,
  homeLat: null,
  homeLon: null,
  ...over,
});

describe('devices on the map', () => {
  it('puts a device at its own fix, else at its household, and leaves out one with neither', () => {
    const index = deviceIndex(
      [
        row('trk', { kind: 'tracker', label: '巡逻一队 1' }),
        row('stb', { household: 'hh-1', homeName: '其其格', homeLat: 42.1, homeLon: 108.4 }),
        row('lost'),
      ],
      new Map([['trk', { lat: 41.9, lon: 107 }]]),
      (id) => id === 'stb',
    );
    expect(index.total).toBe(2);
    const items = pointsIn(index, [100, 35, 115, 50], 16);
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'trk',
          lat: 41.9,
          lon: 107,
          gps: true,
          owner: '巡逻一队 1',
          online: false,
        }),
        expect.objectContaining({
          id: 'stb',
          lat: 42.1,
          lon: 108.4,
          gps: false,
          owner: '其其格',
          online: true,
        }),
      ]),
    );
    expect(index.extent).toEqual([107, 41.9, 108.4, 42.1]);
  });

  it('clusters crowded devices, counting the online ones, and splits them closer in', () => {
    const rows = Array.from({ length: 30 }, (_, i) =>
      row(`stb-${i}`, { household: `hh-${i}`, homeLat: 42 + i * 0.001, homeLon: 108 + i * 0.001 }),
    );
    const index = deviceIndex(rows, new Map(), (id) => Number(id.slice(4)) % 3 === 0);
    const far = pointsIn(index, [100, 35, 115, 50], 6);
    expect(far).toEqual([expect.objectContaining({ type: 'cluster', count: 30, online: 10 })]);
    const split = (far[0] as { zoom: number }).zoom;
    expect(split).toBeGreaterThan(6);
    expect(pointsIn(index, [100, 35, 115, 50], 18)).toHaveLength(30);
  });
});
