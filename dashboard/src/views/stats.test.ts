import { describe, expect, it } from 'vitest';
import { toStatRow } from '../api/stats.ts';
import { periodRange } from './period.ts';

describe('statistics', () => {
  it('a quarter starts on its first day at midnight Beijing time', () => {
    // 2025-05-20 10:00 Beijing → Q2 starts 2025-04-01 00:00 Beijing = 2025-03-31 16:00Z
    const now = Date.UTC(2025, 4, 20, 2, 0);
    expect(periodRange('quarter', now)).toEqual({ from: Date.UTC(2025, 2, 31, 16, 0), to: now });
    // 2025-04-01 00:30 Beijing (still 03-31 in UTC) is already Q2
    const justAfter = Date.UTC(2025, 2, 31, 16, 30);
    expect(periodRange('quarter', justAfter).from).toBe(Date.UTC(2025, 2, 31, 16, 0));
    expect(periodRange('7d', now)).toEqual({ from: now - 7 * 86_400_000, to: now });
  });

  it('reads the hub league rows (seconds) into milliseconds', () => {
    const row = {
      rank: 2,
      unit: 'u1',
      opened: 3,
      unacknowledged: 1,
      ttaMedianS: 95.4,
      ttaP90S: 170,
      ttrMedianS: null,
    };
    expect(toStatRow(row)).toMatchObject({
      rank: 2,
      unitId: 'u1',
      count: 3,
      unacknowledged: 1,
      ackMedianMs: 95_400,
      ackP90Ms: 170_000,
      resolveMedianMs: null,
    });
  });
});
