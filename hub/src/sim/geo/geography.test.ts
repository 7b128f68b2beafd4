import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { lineString, point, polygon } from '@turf/helpers';
import { length } from '@turf/length';
import { pointToLineDistance } from '@turf/point-to-line-distance';
import { feature } from 'topojson-client';
import { describe, expect, it } from 'vitest';
import { generateLeague } from '../league.ts';
import { nearestPlaces, type Place } from '../../incidents/handover/places.ts';
import { simZones } from '../zones.ts';
import { URAD, simBorder } from './geography.ts';
import { CHINA, chinaMongoliaBorder, MONGOLIA, naturalEarthCountries } from './make-geography.ts';

/**
 * The simulated league lies in the real geography of the two Urad border banners: along the
 * China–Mongolia border as Natural Earth draws it, households on the Chinese side, inside their
 * banner and their grid, scattered over the grassland rather than filling a rectangle.
 */
const topo = naturalEarthCountries();
const country = (id: string) => {
  const g = topo.objects.countries.geometries.find((x) => x.id === id)!;
  return feature(topo, g) as GeoJSON.Feature<GeoJSON.Polygon | GeoJSON.MultiPolygon>;
};
const china = country(CHINA);
const mongolia = country(MONGOLIA);
const league = generateLeague({ households: 2400 });

describe('the simulated league’s geography', () => {
  it('follows the real China–Mongolia border (Natural Earth 1:10m) for the banners’ 369 km', () => {
    const real = chinaMongoliaBorder(topo);
    const inner = URAD.border.slice(1, -1);
    expect(inner.length).toBeGreaterThan(20);
    // every vertex is one of Natural Earth's (to the 1e-5° the file keeps)
    const isReal = ([x, y]: [number, number]) =>
      real.some(([rx, ry]) => Math.abs(rx - x) + Math.abs(ry - y) < 2e-5);
    expect(inner.filter((p) => !isReal(p))).toEqual([]);
    const line = lineString(real);
    for (const end of [URAD.border[0]!, URAD.border.at(-1)!])
      expect(pointToLineDistance(point(end), line, { units: 'kilometers' })).toBeLessThan(0.05);
    expect(length(lineString(URAD.border), { units: 'kilometers' })).toBeCloseTo(369, 0);
    // the zones the rules get carry the same line, cut into the border sumus' sections
    const zones = simZones(league, simBorder());
    const border = zones.features[0] as {
      geometry: { coordinates: unknown };
      properties: { sections: unknown[] };
    };
    expect(border.geometry.coordinates).toEqual(URAD.border);
    expect(border.properties.sections.length).toBe(8);
  });

  it('puts every household inside its banner, its grid and China, south of the border', () => {
    const units = new Map(league.doc.units.map((u) => [u.id, u]));
    const ring = (id: string) => polygon(units.get(id)!.boundary!.coordinates);
    const border = lineString(URAD.border);
    const outside: string[] = [];
    for (const h of league.doc.households) {
      const p = point([h.location.lon, h.location.lat]);
      const grid = units.get(h.grid)!;
      const banner = h.grid.slice(0, 6) as '150824' | '150825';
      if (!booleanPointInPolygon(p, polygon([URAD.banners[banner].ring])))
        outside.push(`${h.id} not in ${banner}`);
      if (!booleanPointInPolygon(p, ring(grid.id), { ignoreBoundary: false }))
        outside.push(`${h.id} not in its grid`);
      if (!booleanPointInPolygon(p, china)) outside.push(`${h.id} not in China`);
      if (booleanPointInPolygon(p, mongolia)) outside.push(`${h.id} in Mongolia`);
      if (pointToLineDistance(p, border, { units: 'kilometers' }) < 3) outside.push(`${h.id} on the border`);
    }
    expect(outside).toEqual([]);
    // both banners and all eight border sumus have herders
    const sumus = new Set(league.doc.households.map((h) => h.grid.slice(0, 10)));
    expect([...sumus].sort()).toEqual(league.sumus.map((s) => s.id).sort());
  });

  it('gives every household a well and a road a rescue handover can name (within its 50 km)', () => {
    const places = simZones(league, simBorder())
      .features.map(
        (f) =>
          f as { properties: { id: string; kind: string; name: Place['name'] }; geometry: Place['geometry'] },
      )
      .filter((f) => f.properties.kind === 'water' || f.properties.kind === 'road')
      .map((f) => ({ ...f.properties, geometry: f.geometry }) as Place);
    const wells = places.filter((p) => p.kind === 'water');
    expect(wells.length).toBe(league.doc.units.filter((u) => u.level === 'gacha').length);
    const far: string[] = [];
    for (const h of league.doc.households) {
      const n = nearestPlaces(h.location, places);
      if (!n.water || !n.road) far.push(h.id);
    }
    expect(far).toEqual([]);
  });

  it('scatters households over the grassland instead of filling a rectangle', () => {
    const hh = league.doc.households.map((h) => h.location);
    const w = Math.min(...hh.map((p) => p.lon));
    const e = Math.max(...hh.map((p) => p.lon));
    const s = Math.min(...hh.map((p) => p.lat));
    const n = Math.max(...hh.map((p) => p.lat));
    const CELL = 0.05; // ≈ 4 × 5.5 km
    const cols = Math.ceil((e - w) / CELL);
    const rows = Math.ceil((n - s) / CELL);
    const used = new Set(
      hh.map((p) => `${Math.floor((p.lon - w) / CELL)},${Math.floor((p.lat - s) / CELL)}`),
    );
    // camps gather around each group's wells and follow the border's slant: much of their box is empty
    expect(used.size / (cols * rows)).toBeLessThan(0.55); // the old rectangular blocks filled 0.73
    // the border rises ~0.6° from west to east, and so does the northern edge of the camps
    const northOf = (lo: number, hi: number) =>
      Math.max(...hh.filter((p) => p.lon >= lo && p.lon < hi).map((p) => p.lat));
    expect(northOf(108.8, 109.6) - northOf(105.3, 105.9)).toBeGreaterThan(0.3);
  });

  it('gives every unit below the league a boundary, each inside its parent', () => {
    const units = new Map(league.doc.units.map((u) => [u.id, u]));
    const missing = league.doc.units.filter((u) => u.level !== 'league' && !u.boundary).map((u) => u.id);
    expect(missing).toEqual([]);
    const strays: string[] = [];
    for (const u of league.doc.units) {
      if (!u.parent || u.level === 'banner' || !u.center) continue;
      const parent = units.get(u.parent)!;
      const c = point([u.center.lon, u.center.lat]);
      if (!booleanPointInPolygon(c, polygon(parent.boundary!.coordinates))) strays.push(u.id);
    }
    expect(strays).toEqual([]);
  });
});
