import { describe, expect, it } from 'vitest';
import { deviceName } from './places.ts';

describe('deviceName', () => {
  const kind = (k: string) => ({ settop: '机顶盒', tracker: '巡逻定位器' })[k] ?? k;
  it('names the household (or the tracker’s label), not the device id', () => {
    expect(deviceName({ id: 'stb-1', kind: 'settop', owner: '其其格' }, kind)).toBe('其其格 · 机顶盒');
    expect(deviceName({ id: 'trk-1', kind: 'tracker', owner: '巡逻一队 1' }, kind)).toBe(
      '巡逻一队 1 · 巡逻定位器',
    );
  });
  it('falls back to the device id when the registry names nothing', () => {
    expect(deviceName({ id: 'trk-2', kind: 'tracker', owner: null }, kind)).toBe('trk-2 · 巡逻定位器');
  });
});
