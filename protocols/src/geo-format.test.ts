import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Axis,
  formatDecimalDegrees,
  formatDegMin,
  formatDegMinSec,
  formatPosition,
  fromDegMin,
  fromDegMinSec,
  toDegMin,
  toDegMinSec,
} from './geo-format.ts';

const lat = fc.double({ min: -90, max: 90, noNaN: true });
const lon = fc.double({ min: -180, max: 180, noNaN: true });
const axisValue = fc.oneof(
  lat.map((v) => ({ axis: 'lat' as Axis, v })),
  lon.map((v) => ({ axis: 'lon' as Axis, v })),
);
const decimals = fc.integer({ min: 0, max: 6 });

describe('geo-format', () => {
  it('writes the fixture household (其其格, 42.1213 N 108.4382 E) in every form', () => {
    expect(formatPosition(42.1213, 108.4382)).toEqual({
      decimal: '42.121300, 108.438200',
      dd: '42.121300° N 108.438200° E',
      dm: '42° 07.2780′ N 108° 26.2920′ E',
      dms: '42° 07′ 16.68″ N 108° 26′ 17.52″ E',
    });
    expect(formatDegMin(-33.5, 'lat')).toBe('33° 30.0000′ S');
    expect(formatDegMin(-0.5, 'lon', 1)).toBe('0° 30.0′ W');
  });

  it('carries a minute or second that rounds up to 60 into the next unit', () => {
    expect(toDegMin(41.999_999_9, 'lat')).toEqual({ hemisphere: 'N', degrees: 42, minutes: 0 });
    expect(formatDegMin(41 + 59.999_96 / 60, 'lat')).toBe('42° 00.0000′ N');
    expect(formatDegMin(41 + 59.999_94 / 60, 'lat')).toBe('41° 59.9999′ N');
    expect(formatDegMinSec(108 + 59 / 60 + 59.996 / 3600, 'lon')).toBe('109° 00′ 00.00″ E');
    expect(formatDegMinSec(-(89 + 59 / 60 + 59.999 / 3600), 'lat')).toBe('90° 00′ 00.00″ S');
  });

  it('calls a value that rounds to zero N or E, and the poles and antimeridian by their letters', () => {
    expect(formatDegMin(-1e-9, 'lat')).toBe('0° 00.0000′ N');
    expect(formatDecimalDegrees(-1e-9, 'lon')).toBe('0.000000° E');
    expect(formatDegMin(90, 'lat')).toBe('90° 00.0000′ N');
    expect(formatDegMin(-180, 'lon')).toBe('180° 00.0000′ W');
  });

  it('refuses what is not a WGS-84 coordinate with a sentence naming the range', () => {
    expect(() => formatDegMin(90.5, 'lat')).toThrow(/latitude must be a number from -90 to 90/);
    expect(() => toDegMinSec(Number.NaN, 'lon')).toThrow(/longitude/);
    expect(() => formatPosition(42, 181)).toThrow(RangeError);
    expect(() => toDegMin(1, 'lat', 9)).toThrow(/decimals/);
  });

  it('keeps minutes and seconds below 60 and within half a unit of the value (degrees-minutes round trip)', () => {
    fc.assert(
      fc.property(axisValue, decimals, ({ axis, v }, d) => {
        const dm = toDegMin(v, axis, d);
        expect(dm.minutes).toBeGreaterThanOrEqual(0);
        expect(dm.minutes).toBeLessThan(60);
        expect(Number.isInteger(dm.degrees)).toBe(true);
        // half of the last minute decimal, in degrees, plus float slack
        expect(Math.abs(fromDegMin(dm) - v)).toBeLessThanOrEqual(0.5 / 60 / 10 ** d + 1e-9);
        const dms = toDegMinSec(v, axis, d);
        expect(dms.seconds).toBeLessThan(60);
        expect(dms.minutes).toBeLessThan(60);
        expect(Number.isInteger(dms.minutes)).toBe(true);
        expect(Math.abs(fromDegMinSec(dms) - v)).toBeLessThanOrEqual(0.5 / 3600 / 10 ** d + 1e-9);
      }),
    );
  });

  it('gives the hemisphere of the sign, and never more degrees than the axis has', () => {
    fc.assert(
      fc.property(axisValue, ({ axis, v }) => {
        const dm = toDegMin(v, axis);
        const roundsToZero = dm.degrees === 0 && dm.minutes === 0;
        const south = axis === 'lat' ? 'S' : 'W';
        const north = axis === 'lat' ? 'N' : 'E';
        expect(dm.hemisphere).toBe(v < 0 && !roundsToZero ? south : north);
        expect(dm.degrees + dm.minutes / 60).toBeLessThanOrEqual(axis === 'lat' ? 90 : 180);
      }),
    );
  });

  it('prints what it computed: the text parses back to the same degrees and minutes', () => {
    fc.assert(
      fc.property(lat, lon, (la, lo) => {
        const p = formatPosition(la, lo);
        const m = /^(\d+)° (\d\d\.\d{4})′ ([NS]) (\d+)° (\d\d\.\d{4})′ ([EW])$/.exec(p.dm);
        expect(m).not.toBeNull();
        const [, d1, m1, h1, d2, m2, h2] = m!;
        expect(toDegMin(la, 'lat')).toEqual({ hemisphere: h1, degrees: Number(d1), minutes: Number(m1) });
        expect(toDegMin(lo, 'lon')).toEqual({ hemisphere: h2, degrees: Number(d2), minutes: Number(m2) });
        const [sLat, sLon] = p.decimal.split(', ').map(Number);
        expect(Math.abs(sLat! - la)).toBeLessThanOrEqual(5e-7 + 1e-12);
        expect(Math.abs(sLon! - lo)).toBeLessThanOrEqual(5e-7 + 1e-12);
        expect(p.dms).toMatch(/^\d+° \d\d′ \d\d\.\d\d″ [NS] \d+° \d\d′ \d\d\.\d\d″ [EW]$/);
      }),
    );
  });
});
