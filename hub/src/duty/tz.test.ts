import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayNumber, formatDay, instantAt, localTime, offsetAt, parseDay } from './tz.ts';

const wallOf = (t: number, tz: string) => {
  const l = localTime(t, tz);
  return Date.UTC(l.y, l.m - 1, l.d, l.hh, l.mm, l.ss);
};

describe('time zone math with Intl', () => {
  it('knows Shanghai is UTC+8 all year', () => {
    expect(offsetAt(Date.UTC(2025, 0, 15), 'Asia/Shanghai')).toBe(8 * 3_600_000);
    expect(offsetAt(Date.UTC(2025, 6, 15), 'Asia/Shanghai')).toBe(8 * 3_600_000);
    // 2025-11-25 08:00 Beijing time is 00:00 UTC.
    expect(instantAt(parseDay('2025-11-25'), 8 * 60, 'Asia/Shanghai')).toBe(Date.UTC(2025, 10, 25, 0, 0));
  });

  it('places a skipped wall time at the jump and a repeated one at its first occurrence', () => {
    // Berlin springs forward 2025-03-30 02:00 → 03:00 (01:00 UTC); 02:30 does not exist.
    expect(instantAt(parseDay('2025-03-30'), 150, 'Europe/Berlin')).toBe(Date.UTC(2025, 2, 30, 1, 0));
    // Berlin falls back 2025-10-26 03:00 → 02:00; 02:30 happens at 00:30 UTC and again at 01:30 UTC.
    expect(instantAt(parseDay('2025-10-26'), 150, 'Europe/Berlin')).toBe(Date.UTC(2025, 9, 26, 0, 30));
  });

  it('round-trips civil days', () => {
    expect(formatDay(parseDay('2024-02-29'))).toBe('2024-02-29');
    expect(dayNumber(1970, 1, 2)).toBe(1);
  });

  it('finds the first instant whose local wall time reaches the requested one (property)', () => {
    const zones = [
      'Asia/Shanghai',
      'Europe/Berlin',
      'America/New_York',
      'Australia/Lord_Howe',
      'America/Santiago',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: parseDay('2020-01-01'), max: parseDay('2030-12-31') }),
        fc.integer({ min: 0, max: 1439 }),
        (tz, day, minute) => {
          const t = instantAt(day, minute, tz);
          const wanted = day * 86_400_000 + minute * 60_000;
          expect(wallOf(t, tz)).toBeGreaterThanOrEqual(wanted);
          expect(wallOf(t - 1000, tz)).toBeLessThan(wanted);
        },
      ),
      { numRuns: 400 },
    );
  });
});
