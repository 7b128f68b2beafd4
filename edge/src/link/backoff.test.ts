import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.ts';

const opts = { initialMs: 1_000, maxMs: 300_000 };

describe('backoffDelayMs', () => {
  it('doubles the cap per attempt and stops at the maximum', () => {
    expect(backoffDelayMs(0, opts, () => 1)).toBe(1_000);
    expect(backoffDelayMs(3, opts, () => 1)).toBe(8_000);
    expect(backoffDelayMs(50, opts, () => 1)).toBe(300_000);
  });

  it('jitters within [cap/2, cap]', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const cap = Math.min(300_000, 1_000 * 2 ** attempt);
        const d = backoffDelayMs(attempt, opts, () => r);
        return d >= cap / 2 - 1 && d <= cap;
      }),
    );
  });
});
