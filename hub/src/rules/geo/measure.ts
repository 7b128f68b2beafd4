import { distance } from '@turf/distance';

/**
 * Search boxes in degrees for a distance in metres, measured with turf (geodesic) at the given
 * latitude. Only ever used to pre-filter candidates from a spatial index: exact distances are
 * always computed with turf afterwards, so the box errs on the large side.
 */
const SAFETY = 1.05;

export function degreesFor(metres: number, lat: number): { dLon: number; dLat: number } {
  const perLon = distance([0, lat], [1, lat], { units: 'meters' });
  const perLat = distance([0, lat - 0.5], [0, lat + 0.5], { units: 'meters' });
  return { dLon: (metres / perLon) * SAFETY, dLat: (metres / perLat) * SAFETY };
}

export type BBox = [minX: number, minY: number, maxX: number, maxY: number];

/** A cache of `degreesFor` per 0.1° latitude band (the box only grows with |lat| within a band by < 0.2 %). */
export class DegreeBoxes {
  private readonly cache = new Map<number, { dLon: number; dLat: number }>();
  constructor(private readonly metres: number) {}
  around(lon: number, lat: number): BBox {
    const band = Math.round(lat * 10);
    let d = this.cache.get(band);
    if (!d) {
      d = degreesFor(this.metres, band / 10 + Math.sign(band) * 0.05);
      this.cache.set(band, d);
    }
    return [lon - d.dLon, lat - d.dLat, lon + d.dLon, lat + d.dLat];
  }
}
