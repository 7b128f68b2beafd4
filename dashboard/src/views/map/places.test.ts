import { describe, expect, it } from 'vitest';
import type { DeviceRow, HouseholdRow, Point } from '../../api/registry.ts';
import { devicePlaces } from './places.ts';

const device = (id: string, over: Partial<DeviceRow> = {}) =>
  ({ id, kind: 'settop', household: null, team: null, online: true, ...over }) as DeviceRow;
const hh = { id: 'hh-1', location: { lat: 42.1, lon: 108.4 } } as HouseholdRow;
const fix = (deviceId: string, t: number, lat: number): Point => ({ deviceId, t, lat, lon: 107 });

describe('device places on the map', () => {
  it('uses the newest fix, falls back to the household, skips devices with neither', () => {
    const places = devicePlaces(
      [
        device('trk', { kind: 'tracker', team: 'team-1' }),
        device('stb', { household: 'hh-1' }),
        device('lost'),
      ],
      [fix('trk', 2, 41.9), fix('trk', 1, 41.8)],
      [hh],
    );
    expect(places.map((p) => [p.device.id, p.lat, p.gps])).toEqual([
      ['trk', 41.9, true],
      ['stb', 42.1, false],
    ]);
  });
});
