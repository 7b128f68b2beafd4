import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, backoffStepMs, withRetryAfter } from './backoff.ts';

const b = { initialMs: 1_000, maxMs: 300_000 };

describe('backoff', () => {
  it('doubles the step from the first retry and stops at the maximum', () => {
    expect([1, 2, 3, 4].map((a) => backoffStepMs(a, b))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffStepMs(0, b)).toBe(1_000);
    expect(backoffStepMs(10_000, b)).toBe(300_000);
    expect(backoffStepMs(3, { ...b, factor: 3 })).toBe(9_000);
  });

  it('keeps every delay within [step·(1−jitter), step], the whole step at random = 1', () => {
    fc.assert(
      fc.property(
        fc.nat(200),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, r, jitter) => {
          const step = backoffStepMs(attempt, b);
          const d = backoffDelayMs(attempt, { ...b, jitter }, () => r);
          return d >= Math.floor(step * (1 - jitter)) && d <= step;
        },
      ),
    );
    expect(backoffDelayMs(4, b, () => 1)).toBe(8_000);
    expect(backoffDelayMs(4, b, () => 0)).toBe(4_000);
    expect(backoffDelayMs(4, { ...b, jitter: 0 }, () => 0)).toBe(8_000);
  });

  it('never goes below a Retry-After, which is itself capped', () => {
    expect(withRetryAfter(500, 7_000, 600_000)).toBe(7_000);
    expect(withRetryAfter(30_000, 7_000, 600_000)).toBe(30_000);
    expect(withRetryAfter(500, 3_600_000, 600_000)).toBe(600_000);
    expect(withRetryAfter(500, undefined, 600_000)).toBe(500);
  });
});
