import { readFileSync } from 'node:fs';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { polygon } from '@turf/helpers';
import { Delaunay } from 'd3-delaunay';
import type { Rng } from '../random.ts';

/**
 * The simulated league's geography (`urad.json`, made by make-geography.ts): the real China–Mongolia
 * border along the two Urad border banners from Natural Earth, and the banners' outlines, with
 * the helpers that lay sumus, gachas, grids and households out inside them.
 */
export type Ring = [number, number][];
export type BannerId = '150824' | '150825';

interface Geography {
  border: Ring;
  banners: Record<
    BannerId,
    {
      ring: Ring;
      grasslandMinLat: number /** west and east end of its stretch of border */;
      borderLon: [number, number];
    }
  >;
}

export const URAD: Geography = JSON.parse(readFileSync(new URL('./urad.json', import.meta.url), 'utf8'));

/** The banners' stretch of the China–Mongolia border (Natural Earth), west to east, as simZones and the fleet take it. */
export const simBorder = () => ({
  type: 'Feature' as const,
  geometry: { type: 'LineString' as const, coordinates: URAD.border },
});

/** Households keep this far south of the border (a herder's winter camp is not on the line). */
const BORDER_MARGIN_DEG = 0.04; // ≈ 4.4 km

/** The border's latitude at a longitude (it runs west to east); its end latitude beyond its ends. */
export function borderLatAt(lon: number, border: Ring = URAD.border): number {
  if (lon <= border[0]![0]) return border[0]![1];
  for (let i = 1; i < border.length; i++) {
    const [x0, y0] = border[i - 1]!;
    const [x1, y1] = border[i]!;
    if (lon <= x1) return y0 + ((lon - x0) / (x1 - x0)) * (y1 - y0);
  }
  return border.at(-1)![1];
}

const features = new WeakMap<Ring, ReturnType<typeof polygon>>();
/** Whether a point lies in a ring (turf; each ring's feature made once). */
export function inRing(lon: number, lat: number, ring: Ring): boolean {
  let f = features.get(ring);
  if (!f) {
    f = polygon([ring]);
    features.set(ring, f);
  }
  return booleanPointInPolygon([lon, lat], f);
}

/** Grassland of a banner where herders camp: inside it, north of the Yin mountains, south of the border. */
export function onGrassland(banner: BannerId, lon: number, lat: number): boolean {
  const b = URAD.banners[banner];
  return lat >= b.grasslandMinLat && lat <= borderLatAt(lon) - BORDER_MARGIN_DEG && inRing(lon, lat, b.ring);
}

const bbox = (ring: Ring) => {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    w = Math.min(w, x);
    s = Math.min(s, y);
    e = Math.max(e, x);
    n = Math.max(n, y);
  }
  return { w, s, e, n };
};

/** Signed shoelace area in degrees² (positive: counter-clockwise). */
const area = (ring: Ring) => {
  let a = 0;
  for (let i = 1; i < ring.length; i++) a += ring[i - 1]![0] * ring[i]![1] - ring[i]![0] * ring[i - 1]![1];
  return a / 2;
};

const round = (r: Ring): Ring => r.map(([x, y]) => [Math.round(x * 1e5) / 1e5, Math.round(y * 1e5) / 1e5]);

/**
 * The part of `subject` inside the convex polygon `clip` (Sutherland–Hodgman: exact for a convex
 * clip, as a Voronoi cell is; turf's general intersect costs ~30 ms a cell with its exact
 * arithmetic, and a league has hundreds of grids).
 */
function clipToConvex(subject: Ring, clip: Ring): Ring {
  // clip counter-clockwise, so "inside" is left of each edge
  const c = area(clip) >= 0 ? clip : clip.slice().reverse();
  let out = subject.slice(0, -1);
  for (let i = 0; i + 1 < c.length && out.length > 0; i++) {
    const [ax, ay] = c[i]!;
    const [bx, by] = c[i + 1]!;
    const side = ([x, y]: [number, number]) => (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    const input = out;
    out = [];
    for (let j = 0; j < input.length; j++) {
      const p = input[j]!;
      const q = input[(j + 1) % input.length]!;
      const sp = side(p);
      const sq = side(q);
      if (sp >= 0) out.push(p);
      if (sp >= 0 !== sq >= 0) {
        const f = sp / (sp - sq);
        out.push([p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1])]);
      }
    }
  }
  return out.length > 0 ? [...out, out[0]!] : [];
}

/**
 * Each seed's area of `clip`: its Voronoi cell (d3-delaunay, on a plane with longitudes shrunk by
 * cos(latitude) so cells are round on the ground) cut to `clip`. Together the cells tile `clip`,
 * as sumus tile a banner.
 */
export function cellsIn(seeds: [number, number][], clip: Ring): Ring[] {
  if (seeds.length === 1) return [round(clip)];
  const b = bbox(clip);
  const k = Math.cos((((b.s + b.n) / 2) * Math.PI) / 180);
  const v = Delaunay.from(seeds.map(([x, y]) => [x * k, y])).voronoi([
    b.w * k - 1,
    b.s - 1,
    b.e * k + 1,
    b.n + 1,
  ]);
  return seeds.map((_, i) => {
    const cell = (v.cellPolygon(i) as [number, number][]).map(([x, y]) => [x / k, y] as [number, number]);
    return round(clipToConvex(clip, cell));
  });
}

/** A point inside `ring` that `accept`s, drawn uniformly from its box (null if none after many tries). */
export function pointIn(
  rng: Rng,
  ring: Ring,
  accept: (lon: number, lat: number) => boolean,
): [number, number] | null {
  const b = bbox(ring);
  for (let i = 0; i < 500; i++) {
    const lon = rng.between(b.w, b.e);
    const lat = rng.between(b.s, b.n);
    if (inRing(lon, lat, ring) && accept(lon, lat)) return [lon, lat];
  }
  return null;
}

/** A point near `center` (normal spread `sigmaDeg` on the ground), inside `ring`, that `accept`s. */
export function pointNear(
  rng: Rng,
  center: [number, number],
  sigmaDeg: number,
  ring: Ring,
  accept: (lon: number, lat: number) => boolean,
): [number, number] | null {
  const k = Math.cos((center[1] * Math.PI) / 180);
  for (let i = 0; i < 200; i++) {
    // Box–Muller: herders' camps thin out away from the village's wells and road
    const r = sigmaDeg * Math.sqrt(-2 * Math.log(1 - rng.next()));
    const a = 2 * Math.PI * rng.next();
    const lon = center[0] + (r * Math.cos(a)) / k;
    const lat = center[1] + r * Math.sin(a);
    if (inRing(lon, lat, ring) && accept(lon, lat)) return [lon, lat];
  }
  return null;
}

export const ringBox = bbox;
