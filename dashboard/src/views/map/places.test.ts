import { describe, expect, it } from 'vitest';
import type { DeviceRow, HouseholdRow, Point } from '../../api/registry.ts';
import { deviceName, devicePlaces } from './places.ts';

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

describe('deviceName', () => {
  const names = new Map([['hh-1', '其其格']]);
  const kind = (k: string) => ({ settop: '机顶盒', tracker: '巡逻定位器' })[k] ?? k;
  it('names the household, not the device id', () => {
    expect(deviceName({ id: 'stb-1', kind: 'settop', household: 'hh-1', label: null }, names, kind)).toBe(
      '其其格 · 机顶盒',
    );
  });
  it("falls back to the device's label, then its id", () => {
    expect(
      deviceName({ id: 'trk-1', kind: 'tracker', household: null, label: '巡逻一队 1' }, names, kind),
    ).toBe('巡逻一队 1 · 巡逻定位器');
    expect(deviceName({ id: 'trk-2', kind: 'tracker', household: null, label: null }, names, kind)).toBe(
      'trk-2 · 巡逻定位器',
    );
  });
});
