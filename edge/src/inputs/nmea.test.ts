import type { Fix } from '@steppelink/protocols';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { patrolNmeaLog } from '../testing/nmea-log.ts';
import { GPS_ERA_MS, resolveNmeaDate } from './gnss-time.ts';
import { NmeaAssembler, type NmeaEvent, nmeaChecksum } from './nmea.ts';

const START = Date.UTC(2025, 10, 25, 0, 30, 0);
const TRUSTED = Date.UTC(2026, 11, 7, 12, 0, 0);
const s = (body: string) => `$${body}*${nmeaChecksum(body)}`;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function run(lines: string[], trusted = TRUSTED, a = new NmeaAssembler({ trustedNow: () => trusted })) {
  const events: NmeaEvent[] = [];
  for (const l of lines) events.push(...a.push(l));
  events.push(...a.flush());
  const fixes = events.flatMap((e) => (e.type === 'fix' ? [e.fix] : []));
  return { a, events, fixes, errors: events.filter((e) => e.type === 'error') };
}

/** NMEA `ddmm.mmmmmm` / `dddmm.mmmmmm` with hemisphere. */
function dm(v: number, degDigits: number, pos: string, neg: string): string {
  const a = Math.abs(v);
  const deg = Math.floor(a);
  const min = (a - deg) * 60;
  return `${pad(deg, degDigits)}${min.toFixed(6).padStart(9, '0')},${v < 0 ? neg : pos}`;
}
const hhmmss = (t: number) => {
  const d = new Date(t);
  return `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}.${pad(Math.floor(d.getUTCMilliseconds() / 10))}`;
};
const ddmmyy = (t: number) => {
  const d = new Date(t);
  return `${pad(d.getUTCDate())}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCFullYear() % 100)}`;
};

describe('NmeaAssembler', () => {
  it('reads back every fix of a generated patrol log, with altitude and HDOP from GGA', () => {
    const log = patrolNmeaLog({
      startMs: START,
      fixes: 50,
      from: { lat: 42.4, lon: 106.8 },
      to: { lat: 42.4, lon: 107.2 },
    });
    const { fixes } = run(log.text.split('\n'));
    expect(fixes).toHaveLength(50);
    fixes.forEach((f, i) => {
      const want = log.fixes[i];
      expect(f.t).toBe(want?.t);
      expect(f.lat).toBeCloseTo(want?.lat ?? 0, 9);
      expect(f.lon).toBeCloseTo(want?.lon ?? 0, 9);
      expect(f).toMatchObject({ alt: 1321.5, hdop: 0.9 });
    });
    expect(fixes[0]?.course).toBeCloseTo(90, 0);
  });

  it('parses an RMC with speed in knots and southern/western hemispheres', () => {
    const { fixes } = run([s('GNRMC,083015.50,A,4224.6192,N,10652.4466,E,21.8,84.5,251125,,,A')]);
    expect(fixes[0]).toMatchObject({ t: Date.UTC(2025, 10, 25, 8, 30, 15, 500), course: 84.5 });
    expect(fixes[0]?.lat).toBeCloseTo(42.41032, 5);
    expect(fixes[0]?.speed).toBeCloseTo(11.215, 2);
    const sw = run([s('GPRMC,000000,A,3351.0000,S,15112.0000,W,0,0,010125,,,A')]).fixes[0];
    expect([sw && sw.lat < 0, sw && sw.lon < 0]).toEqual([true, true]);
  });

  it('reads GGA-only and GNS-only receivers of any talker, dating them from an RMC or ZDA seen before', () => {
    for (const talker of ['GP', 'GN', 'GL', 'GA', 'GB', 'BD', 'QZ']) {
      const { fixes } = run([
        s(`${talker}ZDA,101500.00,07,12,2026,00,00`),
        s(`${talker}GGA,101501.00,4224.6192,N,10652.4466,E,1,09,0.9,1321.5,M,-20.0,M,,`),
        s(`${talker}GNS,101502.00,4224.6200,N,10652.4500,E,ANN,12,0.8,1322.0,-20.0,,,V`),
      ]);
      expect(fixes.map((f) => f.t)).toEqual([
        Date.UTC(2026, 11, 7, 10, 15, 1),
        Date.UTC(2026, 11, 7, 10, 15, 2),
      ]);
      expect(fixes[1]).toMatchObject({ alt: 1322, hdop: 0.8 });
    }
  });

  it('combines the RMC, GGA and GNS of one epoch into one fix, and GLL too', () => {
    const { fixes } = run([
      s('GNGGA,101501.00,4224.6192,N,10652.4466,E,1,09,0.9,1321.5,M,-20.0,M,,'),
      s('GNGNS,101501.00,4224.6192,N,10652.4466,E,AAN,12,0.9,1321.5,-20.0,,,V'),
      s('GNRMC,101501.00,A,4224.6192,N,10652.4466,E,1.0,45.0,071226,,,A'),
      s('GNGLL,4224.6193,N,10652.4467,E,101502.00,A,A'),
    ]);
    expect(fixes).toHaveLength(2);
    expect(fixes[0]).toMatchObject({ t: Date.UTC(2026, 11, 7, 10, 15, 1), alt: 1321.5, course: 45 });
    expect(fixes[1]?.t).toBe(Date.UTC(2026, 11, 7, 10, 15, 2));
  });

  it('reads sentences with a doubled $$ and two sentences run together on one line', () => {
    const { fixes, errors } = run([
      `$${s('GPRMC,101501.00,A,4224.6192,N,10652.4466,E,0,0,071226,,,A')}`,
      `${s('GPGSA,A,1,,,,,,,,,,,,,,,')}${s('GPRMC,101502.00,A,4224.6192,N,10652.4466,E,0,0,071226,,,A')}`,
    ]);
    expect(fixes).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('counts proprietary sentences apart from malformed ones, and says when nothing is usable', () => {
    const { a, errors } = run([
      s('PUBX,00,101501.00,4224.6192,N,10652.4466,E,1321.5,G3,2.1,2.0,0.0,0.0,0.0,,1.0,1.5,1.0,9,0,0'),
      s('PERC,GPsts,1,2'),
      '$PASHR,204132.000,010.51,T,+00.39,-00.79,-00.84,0.151,0.075,0.555,1,0*03',
      s('GPGSV,3,1,11,10,63,137,17'),
      s('GPTXT,01,01,02,ANTSTATUS=OK'),
      '$GPRMC,000000.00,A,4224.0000,N,10648.0000,E,0,0,251125,,,A*00',
      '$GPRMC garbage*ZZ',
      '$GPN,00000.0000,E,0,00,0.0,,M,,M,,*5C',
      'some text on the serial line',
    ]);
    expect(a.stats).toMatchObject({
      proprietary: { UBX: 1, ERC: 1, ASH: 1 },
      unsupported: { GSV: 1, TXT: 1 },
      badChecksum: 2,
      malformed: 1,
      used: {},
    });
    expect(errors).toHaveLength(3);
    expect(a.problem()).toBeUndefined(); // too few sentences to judge yet
    const many = run(Array.from({ length: 30 }, () => s('GPGSV,3,1,11,10,63,137,17')));
    expect(many.a.problem()).toMatch(/none with a position.*GSV/);
  });

  it('skips void fixes and fixes with a mode of N', () => {
    const { fixes } = run([
      s('GPRMC,000000.00,V,,,,,,,251125,,,N'),
      s('GPRMC,000001.00,A,4224.0000,N,10648.0000,E,0,0,251125,,,N'),
      s('GPGGA,000002.00,4224.0000,N,10648.0000,E,0,00,,,M,,M,,'),
      s('GNGNS,000003.00,4224.0000,N,10648.0000,E,NNN,00,,,,,,V'),
      s('GPGLL,4224.0000,N,10648.0000,E,000004.00,V,N'),
    ]);
    expect(fixes).toEqual([]);
  });

  it('reads a two-digit year 99 as 1999, shifted one GPS week era forward when the clock says so — never 2099', () => {
    // A week-rollover receiver on 2019-04-07 reports 1999-08-22 (gpsd capture gp-320fw).
    const rollover = s('GPRMC,000345.03,A,4808.9993,N,01135.0798,E,000.1,000.0,220899,003.0,E,A');
    expect(run([rollover], Date.UTC(2019, 5, 1)).fixes[0]?.t).toBe(Date.UTC(2019, 3, 7, 0, 3, 45, 30));
    const t = run([rollover]).fixes[0]?.t ?? 0;
    expect(new Date(t).getUTCFullYear()).toBeLessThan(2030);
    expect(Math.abs(t - TRUSTED)).toBeLessThan(GPS_ERA_MS / 2);
  });

  it('resolves any date of a receiver up to two week eras behind to the real one (property)', () => {
    const day = 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }),
        fc.integer({ min: -200 * day, max: 200 * day }), // how far the trusted clock is off
        fc.integer({ min: 0, max: 2 }), // week eras the receiver is behind
        (real, clockError, eras) => {
          const reported = real - eras * GPS_ERA_MS;
          const tod = reported - Math.floor(reported / day) * day;
          const midnight = resolveNmeaDate(ddmmyy(reported), tod, real + clockError);
          expect(midnight !== undefined && midnight + tod).toBe(real);
        },
      ),
      // 29 February 2000, one era behind 15 October 2019: 1900 and 2100 have no 29 February
      { examples: [[Date.UTC(2019, 9, 15), 0, 1]] },
    );
  });

  it('turns any fixes sent as RMC+GGA, GGA+ZDA or GNS from any talker back into the same fixes (property)', () => {
    const fixArb = fc.record({
      lat: fc.double({ min: -89.9, max: 89.9, noNaN: true }),
      lon: fc.double({ min: -179.9, max: 179.9, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 1) }),
        fc.array(fixArb, { minLength: 1, maxLength: 20 }),
        fc.constantFrom('GP', 'GN', 'GL', 'GA', 'GB', 'BD', 'QZ'),
        fc.constantFrom('rmc+gga', 'zda+gga', 'gns', 'zda+gll'),
        (start, points, talker, style) => {
          const t0 = Math.floor(start / 10) * 10;
          const lines: string[] = [];
          const want: Fix[] = [];
          points.forEach((p, i) => {
            const t = t0 + i * 1000;
            const lat = dm(p.lat, 2, 'N', 'S');
            const lon = dm(p.lon, 3, 'E', 'W');
            if (style.startsWith('zda') && i === 0)
              lines.push(
                s(
                  `${talker}ZDA,${hhmmss(t)},${ddmmyy(t).slice(0, 2)},${ddmmyy(t).slice(2, 4)},${new Date(t).getUTCFullYear()},00,00`,
                ),
              );
            if (style === 'rmc+gga') {
              lines.push(s(`${talker}GGA,${hhmmss(t)},${lat},${lon},1,09,0.9,1321.5,M,-20.0,M,,`));
              lines.push(s(`${talker}RMC,${hhmmss(t)},A,${lat},${lon},1.0,45.0,${ddmmyy(t)},,,A`));
            } else if (style === 'zda+gga')
              lines.push(s(`${talker}GGA,${hhmmss(t)},${lat},${lon},2,09,0.9,1321.5,M,-20.0,M,,`));
            else if (style === 'gns') {
              if (i === 0)
                lines.push(s(`${talker}RMC,${hhmmss(t - 1000)},A,${lat},${lon},0,0,${ddmmyy(t - 1000)},,,A`));
              lines.push(s(`${talker}GNS,${hhmmss(t)},${lat},${lon},AA,12,0.8,1322.0,-20.0,,,V`));
            } else lines.push(s(`${talker}GLL,${lat},${lon},${hhmmss(t)},A,A`));
            want.push({ t, lat: p.lat, lon: p.lon });
          });
          const { fixes, errors } = run(lines, t0 + 3 * 86_400_000);
          expect(errors).toEqual([]);
          const got = style === 'gns' ? fixes.slice(1) : fixes;
          expect(got.map((f) => f.t)).toEqual(want.map((f) => f.t));
          got.forEach((f, i) => {
            expect(Math.abs(f.lat - (want[i]?.lat ?? 0))).toBeLessThan(1e-7);
            expect(Math.abs(f.lon - (want[i]?.lon ?? 0))).toBeLessThan(1e-7);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('dates a receiver that never sends a date from the trusted clock, after a few epochs', () => {
    const lines = Array.from({ length: 15 }, (_, i) =>
      s(`GPGGA,1015${pad(i)}.00,4224.6192,N,10652.4466,E,1,09,0.9,1321.5,M,-20.0,M,,`),
    );
    const { fixes, a } = run(lines);
    expect(a.stats.undated).toBe(10);
    expect(fixes.map((f) => f.t)).toEqual(
      [10, 11, 12, 13, 14].map((sec) => Date.UTC(2026, 11, 7, 10, 15, sec)),
    );
  });

  it('carries a receiver date across midnight', () => {
    const { fixes } = run([
      s('GPRMC,235959.00,A,4224.6192,N,10652.4466,E,0,0,071226,,,A'),
      s('GPGGA,000000.00,4224.6192,N,10652.4466,E,1,09,0.9,1321.5,M,-20.0,M,,'),
    ]);
    expect(fixes.map((f) => f.t)).toEqual([Date.UTC(2026, 11, 7, 23, 59, 59), Date.UTC(2026, 11, 8)]);
  });
});
