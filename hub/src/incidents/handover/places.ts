import { bearing } from '@turf/bearing';
import { distance } from '@turf/distance';
import { lineString, point } from '@turf/helpers';
import { nearestPointOnLine } from '@turf/nearest-point-on-line';

/**
 * Water points (水井, springs) and roads the rescue handover names the nearest of: the rules'
 * `water` and `road` zones (rules/zones.ts), handed over as plain data.
 */
export interface Place {
  id: string;
  kind: 'water' | 'road';
  name: { zh: string; mn?: string | undefined; en?: string | undefined };
  note?: string | undefined;
  geometry: { type: 'Point'; coordinates: number[] } | { type: 'LineString'; coordinates: number[][] };
}

export interface NearestPlace {
  id: string;
  kind: Place['kind'];
  name: Place['name'];
  /** The place itself for a water point; the nearest point of the road for a road. */
  lat: number;
  lon: number;
  /** Great-circle distance from the position, metres. */
  distanceM: number;
  /** Initial bearing from the position to that point, degrees clockwise from true north (0–360). */
  bearingDeg: number;
}

const M_PER_KM = 1000;

/** The closest point of one place to `from` (turf: haversine distance, nearest point on a line). */
function closest(from: { lat: number; lon: number }, p: Place): NearestPlace {
  const here = point([from.lon, from.lat]);
  const target =
    p.geometry.type === 'Point'
      ? point(p.geometry.coordinates.slice(0, 2))
      : nearestPointOnLine(lineString(p.geometry.coordinates.map((c) => c.slice(0, 2))), here);
  const [lon, lat] = target.geometry.coordinates as [number, number];
  const distanceM = distance(here, target, { units: 'kilometers' }) * M_PER_KM;
  return {
    id: p.id,
    kind: p.kind,
    name: p.name,
    lat,
    lon,
    distanceM: Math.round(distanceM),
    bearingDeg: distanceM < 1 ? 0 : Math.round((bearing(here, target) + 360) % 360),
  };
}

/**
 * The nearest water point and the nearest road to a position, each within `withinM` (a well
 * 200 km off helps nobody), or null when there is none.
 */
export function nearestPlaces(
  from: { lat: number; lon: number },
  places: readonly Place[],
  withinM = 50_000,
): { water: NearestPlace | null; road: NearestPlace | null } {
  const best: { water: NearestPlace | null; road: NearestPlace | null } = { water: null, road: null };
  for (const p of places) {
    const c = closest(from, p);
    if (c.distanceM > withinM) continue;
    const cur = best[p.kind];
    if (!cur || c.distanceM < cur.distanceM) best[p.kind] = c;
  }
  return best;
}
