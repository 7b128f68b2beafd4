import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketWidthMs, thinSorted } from './thin.ts';

describe('thinSorted', () => {
  it('keeps everything within budget and rejects a bad budget', () => {
    const pts = [{ t: 1 }, { t: 2 }, { t: 3 }];
    expect(thinSorted(pts, 3)).toEqual(pts);
    expect(thinSorted(pts)).toEqual(pts);
    expect(() => thinSorted(pts, 0)).toThrow(/positive integer/);
    expect(() => thinSorted(pts, 1.5)).toThrow(/positive integer/);
  });

  it('keeps the first fix of each equal slice of time', () => {
    const pts = [0, 1, 2, 10, 11, 19, 20, 29].map((t) => ({ t }));
    // span 0..29 in 3 slices of 10 ms
    expect(bucketWidthMs(0, 29, 3)).toBe(10);
    expect(thinSorted(pts, 3).map((p) => p.t)).toEqual([0, 10, 20]);
  });

  it('property: at most maxPoints, a subsequence, first fix kept', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1e9 }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 60 }),
        (ts, max) => {
          const pts = ts.sort((a, b) => a - b).map((t) => ({ t }));
          const out = thinSorted(pts, max);
          expect(out.length).toBeLessThanOrEqual(Math.max(max, 0));
          expect(out.every((p) => pts.includes(p))).toBe(true);
          expect(out.every((p, i) => i === 0 || p.t > out[i - 1]!.t)).toBe(true);
          if (pts.length > 0) expect(out[0]).toBe(pts[0]);
        },
      ),
    );
  });
});
