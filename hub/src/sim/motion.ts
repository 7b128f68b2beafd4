import { along } from '@turf/along';
import { bearing } from '@turf/bearing';
import { destination } from '@turf/destination';
import { distance } from '@turf/distance';
import { lineString, point } from '@turf/helpers';
import { length } from '@turf/length';
import type { Rng } from './random.ts';

export interface LatLon {
  lat: number;
  lon: number;
}

/** How a simulated herd behaves: grazes around its camp, strays off its pasture, or drifts north toward the border. */
export type HerdMode = 'graze' | 'stray' | 'drift';

export interface Herd {
  pos: LatLon;
  home: LatLon;
  mode: HerdMode;
  headingDeg: number;
}

/** Walking speeds of a herd, m/s: grazing sheep amble, a spooked or wandering herd walks on. */
export const HERD_SPEED_MPS: Record<HerdMode, number> = { graze: 0.25, stray: 0.6, drift: 0.8 };
const GRAZE_RADIUS_KM = 0.7; // a grazing herd stays within this of its camp, well inside the pasture

const move = (p: LatLon, km: number, bearingDeg: number): LatLon => {
  const [lon, lat] = destination(point([p.lon, p.lat]), km, bearingDeg, { units: 'kilometers' }).geometry
    .coordinates as [number, number];
  return { lat, lon };
};

/** Moves a herd by `dtS` seconds. Grazing herds wander but are pulled back to camp; the others keep a course. */
export function stepHerd(h: Herd, rng: Rng, dtS: number): Herd {
  const km = (HERD_SPEED_MPS[h.mode] * dtS) / 1000;
  let heading = h.headingDeg;
  if (h.mode === 'graze') {
    const away = distance(point([h.home.lon, h.home.lat]), point([h.pos.lon, h.pos.lat]), {
      units: 'kilometers',
    });
    heading =
      away > GRAZE_RADIUS_KM
        ? bearing(point([h.pos.lon, h.pos.lat]), point([h.home.lon, h.home.lat]))
        : heading + rng.between(-60, 60);
  } else if (h.mode === 'drift') {
    heading = rng.between(-20, 20); // northward, toward the border
  } else {
    heading += rng.between(-10, 10);
  }
  return { ...h, headingDeg: heading, pos: move(h.pos, km, heading) };
}

/**
 * A patrol vehicle driving back and forth along its stretch of the border track, a little inside
 * the line. `fromKm`/`toKm` are distances along the border line.
 */
export interface Patrol {
  line: ReturnType<typeof lineString>;
  fromKm: number;
  toKm: number;
  atKm: number;
  dir: 1 | -1;
  speedMps: number;
  insideKm: number;
}

export function createPatrol(coords: [number, number][], fromKm: number, toKm: number, rng: Rng): Patrol {
  const line = lineString(coords);
  const total = length(line, { units: 'kilometers' });
  const a = Math.max(0, Math.min(fromKm, total));
  const b = Math.max(a, Math.min(toKm, total));
  return {
    line,
    fromKm: a,
    toKm: b,
    atKm: rng.between(a, b),
    dir: rng.chance(0.5) ? 1 : -1,
    speedMps: rng.between(8, 14),
    insideKm: 0.4,
  };
}

export function stepPatrol(
  p: Patrol,
  dtS: number,
): { patrol: Patrol; pos: LatLon; speedMps: number; courseDeg: number } {
  let at = p.atKm + (p.dir * p.speedMps * dtS) / 1000;
  let dir = p.dir;
  if (at > p.toKm) {
    at = p.toKm;
    dir = -1;
  } else if (at < p.fromKm) {
    at = p.fromKm;
    dir = 1;
  }
  const here = along(p.line, at, { units: 'kilometers' });
  const ahead = along(p.line, Math.min(at + 0.05, p.toKm + 0.05), { units: 'kilometers' });
  const course = bearing(here, ahead);
  const [lon, lat] = here.geometry.coordinates as [number, number];
  return {
    patrol: { ...p, atKm: at, dir },
    // The patrol track runs just inside the border, which runs west–east with China to the south.
    pos: move({ lat, lon }, p.insideKm, 180),
    speedMps: p.speedMps,
    courseDeg: ((dir === 1 ? course : course + 180) + 360) % 360,
  };
}
