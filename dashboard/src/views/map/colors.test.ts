import { describe, expect, it } from 'vitest';
import { coverageBand } from './colors.ts';

describe('coverage bands', () => {
  const now = Date.UTC(2025, 0, 10);
  const h = 3_600_000;
  it.each([
    [null, 'never'],
    [now - 1 * h, 'fresh'],
    [now - 23.9 * h, 'fresh'],
    [now - 24 * h, 'aging'],
    [now - 71 * h, 'aging'],
    [now - 72 * h, 'old'],
  ] as const)('last patrol %s → %s', (t, band) => {
    expect(coverageBand(t, now)).toBe(band);
  });
});
