import { lineString } from '@turf/helpers';
import { pointToLineDistance } from '@turf/point-to-line-distance';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nearestM, PLANAR_OVER, PLANAR_SLACK_M, toSegments, withinM } from './nearest.ts';

// Short lines (a pasture edge, a 1 km border piece) anywhere in Inner Mongolia, points within a few km.
const lon = fc.double({ min: 97, max: 126, noNaN: true });
const lat = fc.double({ min: 37, max: 53, noNaN: true });
const offset = fc.integer({ min: -300, max: 300 }).map((k) => k * 1e-4); // up to ≈3 km, 10 m steps
const setup = fc.tuple(
  lon,
  lat,
  fc.array(fc.tuple(offset, offset), { minLength: 2, maxLength: 6 }),
  offset,
  offset,
);

describe('planar screening of geodesic distances', () => {
  it("turf's planar distance stays within the bounds the screening relies on", () => {
    fc.assert(
      fc.property(setup, ([x, y, pts, dx, dy]) => {
        const coords = pts.map(([a, b]) => [x + a, y + b]);
        for (const s of toSegments(coords)) {
          const p: [number, number] = [x + dx, y + dy];
          const g = pointToLineDistance(p, s, { units: 'meters' });
          const pl = pointToLineDistance(p, s, { units: 'meters', method: 'planar' });
          expect(g).toBeLessThanOrEqual(pl + PLANAR_SLACK_M);
          expect(pl).toBeLessThanOrEqual(g * PLANAR_OVER + PLANAR_SLACK_M);
        }
      }),
      { numRuns: 800 },
    );
  });

  it('gives the same answer as turf over the whole line', () => {
    fc.assert(
      fc.property(setup, fc.double({ min: 10, max: 3000, noNaN: true }), ([x, y, pts, dx, dy], m) => {
        const coords = pts.map(([a, b]) => [x + a, y + b]);
        const segs = toSegments(coords);
        fc.pre(segs.length > 0);
        const exact = pointToLineDistance(
          [x + dx, y + dy],
          lineString(segs.flatMap((s, i) => (i === 0 ? s.coordinates : [s.coordinates[1]!]))),
          { units: 'meters' },
        );
        expect(nearestM(x + dx, y + dy, segs)).toBeCloseTo(exact, 6);
        expect(withinM(x + dx, y + dy, segs, m)).toBe(exact <= m);
      }),
      { numRuns: 300 },
    );
  });
});
