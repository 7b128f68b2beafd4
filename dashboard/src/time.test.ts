import { describe, expect, it } from 'vitest';
import { translator } from './i18n/index.ts';
import {
  formatCountdown,
  formatDateTime,
  formatDuration,
  formatStat,
  fromLocalInput,
  toLocalInput,
} from './time.ts';

describe('time', () => {
  it('shows Beijing time whatever the machine zone is', () => {
    // 2025-01-14T01:05:07Z is 09:05:07 in Asia/Shanghai
    expect(formatDateTime(Date.UTC(2025, 0, 14, 1, 5, 7))).toBe('2025-01-14 09:05:07');
    // crossing midnight: 16:30Z is 00:30 the next day in Beijing
    expect(formatDateTime(Date.UTC(2025, 0, 14, 16, 30, 0))).toBe('2025-01-15 00:30:00');
  });

  it('round-trips datetime-local values as Beijing time', () => {
    const t = Date.UTC(2025, 5, 1, 2, 30);
    expect(toLocalInput(t)).toBe('2025-06-01T10:30');
    expect(fromLocalInput('2025-06-01T10:30')).toBe(t);
    expect(fromLocalInput('not a time')).toBeNull();
  });

  it.each([
    [179_000, '02:59'],
    [180_000, '03:00'],
    [400, '00:01'], // rounds up while counting down: never shows 00:00 before it fires
    [0, '00:00'],
    [3_723_000, '1:02:03'],
    [-12_000, '-00:12'],
    [-61_500, '-01:01'],
  ])('countdown %i ms → %s', (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });

  it('formats durations in the reader language', () => {
    expect(formatDuration(45_000, translator('en'))).toBe('45 s');
    expect(formatDuration(12 * 60_000, translator('zh'))).toBe('12分');
    expect(formatDuration(3 * 3_600_000 + 5 * 60_000, translator('en'))).toBe('3 h 5 min');
    expect(formatDuration(2 * 86_400_000, translator('mn'))).toBe('2 ᠡᠳᠦᠷ');
  });

  it('formats statistics as m:ss and missing values as a dash', () => {
    expect(formatStat(185_000)).toBe('3:05');
    expect(formatStat(null)).toBe('—');
  });
});
