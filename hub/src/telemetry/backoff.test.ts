import { describe, expect, it } from 'vitest';
import { backoffDefaults, backoffDelayMs } from './backoff.ts';

describe('backoffDelayMs', () => {
  const o = backoffDefaults;
  it('doubles from the minimum up to the cap, jitter taking at most half', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, o, () => 1))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelayMs(30, o, () => 1)).toBe(30_000);
    expect(backoffDelayMs(3, o, () => 0)).toBe(500);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelayMs(5, o, Math.random);
      expect(d).toBeGreaterThanOrEqual(2_000);
      expect(d).toBeLessThanOrEqual(4_000);
    }
  });

  it('takes Retry-After (capped at 10 min) as a floor under the backoff', () => {
    expect(backoffDelayMs(1, o, () => 0, 7_000)).toBe(7_000);
    expect(backoffDelayMs(9, o, () => 1, 7_000)).toBe(30_000);
    expect(backoffDelayMs(1, o, () => 0, 3_600_000)).toBe(600_000);
  });
});
