import fc from 'fast-check';
import { distance } from '@turf/distance';
import { describe, expect, it } from 'vitest';
import { nearestPlaces, type Place } from './places.ts';

const lat = fc.double({ min: 40.5, max: 43, noNaN: true });
const lon = fc.double({ min: 105, max: 110, noNaN: true });
const well = (i: number, la: number, lo: number): Place => ({
  id: `well-${i}`,
  kind: 'water',
  name: { zh: `水井${i}` },
  geometry: { type: 'Point', coordinates: [lo, la] },
});

describe('nearestPlaces', () => {
  it('picks the water point no other is nearer than (great-circle distance)', () => {
    fc.assert(
      fc.property(lat, lon, fc.array(fc.tuple(lat, lon), { minLength: 1, maxLength: 12 }), (la, lo, pts) => {
        const places = pts.map(([a, b], i) => well(i, a, b));
        const n = nearestPlaces({ lat: la, lon: lo }, places, Number.POSITIVE_INFINITY).water!;
        const km = (p: Place) =>
          distance([lo, la], p.geometry.coordinates as [number, number], { units: 'kilometers' });
        const best = Math.min(...places.map(km));
        expect(Math.abs(n.distanceM - best * 1000)).toBeLessThanOrEqual(0.5);
        expect(n.bearingDeg).toBeGreaterThanOrEqual(0);
        expect(n.bearingDeg).toBeLessThanOrEqual(360);
      }),
    );
  });

  it('leaves out what is farther than the limit, and says none', () => {
    const far = well(1, 43, 110);
    expect(nearestPlaces({ lat: 41, lon: 106 }, [far])).toEqual({ water: null, road: null });
    expect(nearestPlaces({ lat: 41, lon: 106 }, [])).toEqual({ water: null, road: null });
  });
});
