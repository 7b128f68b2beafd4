import { describe, expect, it } from 'vitest';
import { patrolNmeaLog } from '../testing/nmea-log.ts';
import { NmeaAssembler, nmeaChecksum } from './nmea.ts';

const START = Date.UTC(2025, 10, 25, 0, 30, 0);

describe('NmeaAssembler', () => {
  it('reads back every fix of a generated patrol log, with altitude and HDOP from GGA', () => {
    const log = patrolNmeaLog({
      startMs: START,
      fixes: 50,
      from: { lat: 42.4, lon: 106.8 },
      to: { lat: 42.4, lon: 107.2 },
    });
    const a = new NmeaAssembler();
    const got = log.text.split('\n').flatMap((l) => {
      const r = a.push(l);
      return r.type === 'fix' ? [r.fix] : [];
    });
    expect(got).toHaveLength(50);
    got.forEach((f, i) => {
      const want = log.fixes[i];
      expect(f.t).toBe(want?.t);
      expect(f.lat).toBeCloseTo(want?.lat ?? 0, 9);
      expect(f.lon).toBeCloseTo(want?.lon ?? 0, 9);
      expect(f).toMatchObject({ alt: 1321.5, hdop: 0.9 });
    });
    expect(got[49]?.lon).toBeCloseTo(107.2, 5);
    expect(got[0]?.course).toBeCloseTo(90, 0);
  });

  it('parses a real-looking RMC with speed in knots and southern/western hemispheres', () => {
    const body = 'GNRMC,083015.50,A,4224.6192,N,10652.4466,E,21.8,84.5,251125,,,A';
    const r = new NmeaAssembler().push(`$${body}*${nmeaChecksum(body)}`);
    expect(r.type === 'fix' && r.fix).toMatchObject({
      t: Date.UTC(2025, 10, 25, 8, 30, 15, 500),
      course: 84.5,
    });
    expect(r.type === 'fix' && r.fix.lat).toBeCloseTo(42.41032, 5);
    expect(r.type === 'fix' && r.fix.speed).toBeCloseTo(11.215, 2);
    const sw = 'GPRMC,000000,A,3351.0000,S,15112.0000,W,0,0,010125,,,A';
    const s = new NmeaAssembler().push(`$${sw}*${nmeaChecksum(sw)}`);
    expect(s.type === 'fix' && [s.fix.lat < 0, s.fix.lon < 0]).toEqual([true, true]);
  });

  it('skips no-fix sentences and reports corrupt ones', () => {
    const a = new NmeaAssembler();
    const void_ = 'GPRMC,000000.00,V,,,,,,,251125,,,N';
    expect(a.push(`$${void_}*${nmeaChecksum(void_)}`)).toEqual({ type: 'none' });
    expect(a.push('$GPRMC,000000.00,A,4224.0000,N,10648.0000,E,0,0,251125,,,A*00')).toMatchObject({
      type: 'error',
      reason: /checksum/,
    });
    expect(a.push('$GPRMC garbage')).toMatchObject({ type: 'error' });
    const bad = 'GPRMC,000000.00,A,42xx.0000,N,10648.0000,E,0,0,251125,,,A';
    expect(a.push(`$${bad}*${nmeaChecksum(bad)}`)).toMatchObject({ type: 'error', reason: /position/ });
    expect(a.push('some text on the serial line')).toEqual({ type: 'none' });
    expect(
      a.push('$GPGSV,3,1,11,10,63,137,17*7B'.replace('*7B', `*${nmeaChecksum('GPGSV,3,1,11,10,63,137,17')}`)),
    ).toEqual({ type: 'none' });
  });
});
