/**
 * Generates `urad.json`, the simulated league's geography: the China–Mongolia border from Natural
 * Earth (1:10m, the `world-atlas` package: the arc China and Mongolia share) along the two Urad
 * border banners, cut to the banners' 369 km of border (DOMAIN.md) — 195 km for Urad Rear Banner
 * (west of its boundary with Urad Middle at 107.55°E), 174 km for Urad Middle Banner (to 109.60°E)
 * — and each banner's outline: that border as its north edge, the rest drawn through approximate
 * points of the banners' published extents (Rear 105°14′–107°36′E, 40°40′–42°22′N; Middle
 * 107°18′–109°42′E, 41°07′–42°28′N; seats Bayan Bogd 41.10°N 107.07°E and Haliut 41.57°N
 * 108.52°E inside), not a surveyed boundary. The herders' grassland is the part north of the Yin
 * mountains (Langshan), kept a few km south of the border.
 *
 * Run once: `node --import tsx hub/src/sim/geo/make-geography.ts` (deterministic output).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { lineString } from '@turf/helpers';
import { length } from '@turf/length';
import { mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

export const CHINA = '156';
export const MONGOLIA = '496';
export const BORDER_KM = 369;
const EAST_LON = 109.6; // Urad Middle's east end on the border (Darhan Muminggan beyond)
export const BANNER_SPLIT_LON = 107.55; // Urad Rear | Urad Middle on the border

type Countries = Topology<{ countries: GeometryCollection<{ name: string }> }>;

/** The Natural Earth 1:10m countries (world-atlas), as TopoJSON. */
export function naturalEarthCountries(): Countries {
  const path = createRequire(import.meta.url).resolve('world-atlas/countries-10m.json');
  return JSON.parse(readFileSync(path, 'utf8')) as Countries;
}

/** The whole China–Mongolia border, west to east. */
export function chinaMongoliaBorder(topo = naturalEarthCountries()): [number, number][] {
  const m = mesh(topo, topo.objects.countries, (a, b) => {
    const ids = [a.id, b.id];
    return ids.includes(CHINA) && ids.includes(MONGOLIA);
  });
  const line = m.coordinates[0] as [number, number][];
  return line[0]![0] <= line.at(-1)![0] ? line : line.slice().reverse();
}

const lerp = (a: [number, number], b: [number, number], lon: number): [number, number] => {
  const f = (lon - a[0]) / (b[0] - a[0]);
  return [lon, a[1] + f * (b[1] - a[1])];
};

/** The border between two longitudes (it runs west to east here), cut exactly at both. */
export function borderBetween(line: [number, number][], west: number, east: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1]!;
    const b = line[i]!;
    if (b[0] <= west || a[0] >= east) continue;
    if (out.length === 0) out.push(a[0] < west ? lerp(a, b, west) : a);
    out.push(b[0] > east ? lerp(a, b, east) : b);
  }
  return out;
}

const km = (c: [number, number][]) => length(lineString(c), { units: 'kilometers' });

/** The west end that makes the border from it to EAST_LON measure `targetKm`. */
function westEndFor(line: [number, number][], targetKm: number): number {
  let lo = 104.5;
  let hi = 106.5;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (km(borderBetween(line, mid, EAST_LON)) > targetKm) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** South of the border, clockwise from the banner boundary's end on the border: approximate outlines. */
const REAR_SOUTH: [number, number][] = [
  [107.5, 41.95],
  [107.58, 41.5],
  [107.45, 41.12],
  [107.05, 40.9],
  [106.55, 40.72],
  [106.1, 40.78],
  [105.75, 40.95],
  [105.45, 41.2],
  [105.3, 41.5],
];
const MIDDLE_SOUTH: [number, number][] = [
  [109.68, 42.1],
  [109.55, 41.65],
  [109.3, 41.35],
  [108.9, 41.18],
  [108.4, 41.1],
  [107.9, 41.08],
  [107.45, 41.12],
  [107.58, 41.5],
  [107.5, 41.95],
];

const round = (c: [number, number][]) =>
  c.map(([x, y]) => [Math.round(x * 1e5) / 1e5, Math.round(y * 1e5) / 1e5] as [number, number]);

export function makeGeography() {
  const line = chinaMongoliaBorder();
  const west = westEndFor(line, BORDER_KM);
  const border = round(borderBetween(line, west, EAST_LON));
  const rearBorder = round(borderBetween(line, west, BANNER_SPLIT_LON));
  const middleBorder = round(borderBetween(line, BANNER_SPLIT_LON, EAST_LON));
  // rings counter-clockwise (GeoJSON's right-hand rule): east along the border is clockwise, so reverse
  const ring = (north: [number, number][], south: [number, number][]) => {
    const r = [...north, ...south];
    return [...r, r[0]!].reverse();
  };
  return {
    source:
      'Natural Earth 1:10m (world-atlas countries-10m), China–Mongolia shared arc; banner outlines approximate',
    border,
    borderKm: { total: km(border), rear: km(rearBorder), middle: km(middleBorder) },
    banners: {
      '150825': {
        ring: ring(rearBorder, REAR_SOUTH),
        grasslandMinLat: 41.2,
        borderLon: [west, BANNER_SPLIT_LON],
      },
      '150824': {
        ring: ring(middleBorder, MIDDLE_SOUTH),
        grasslandMinLat: 41.35,
        borderLon: [BANNER_SPLIT_LON, EAST_LON],
      },
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const g = makeGeography();
  writeFileSync(new URL('./urad.json', import.meta.url), `${JSON.stringify(g)}\n`);
  console.log(
    `urad.json: border ${g.border.length} vertices, ${g.borderKm.total.toFixed(1)} km (rear ${g.borderKm.rear.toFixed(1)}, middle ${g.borderKm.middle.toFixed(1)})`,
  );
}
