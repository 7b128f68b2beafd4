import { type CoverageSegment, type FeatureCollection, loadCoverage, loadZones } from '../../api/geo.ts';
import {
  type DeviceRow,
  flattenUnits,
  getHousehold,
  getUnit,
  type HouseholdRow,
  latestPositions,
  listDevices,
  listHouseholds,
  type Point,
  track,
  unitTree,
} from '../../api/registry.ts';
import type { Texts } from '@steppelink/protocols';

/** Everything the map draws, loaded in parallel; the optional parts come back empty on 404. */
export interface MapData {
  devices: DeviceRow[];
  positions: Point[];
  households: HouseholdRow[];
  zones: FeatureCollection;
  coverage: CoverageSegment[];
  units: {
    id: string;
    name: Texts;
    level: string;
    center?: { lat: number; lon: number };
    boundary?: { coordinates: [number, number][][] };
  }[];
}

/** Unit boundaries come one unit per request: fetch them for the upper levels, and grids only when few. */
const MAX_BOUNDARY_FETCHES = 60;
/** Pastures come with each household's detail: draw them for a grid's or a gacha's worth. */
const MAX_PASTURE_FETCHES = 150;

async function inBatches<T, R>(items: T[], size: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

export async function loadMapData(): Promise<MapData> {
  const [devices, positions, households, zones, coverage, roots] = await Promise.all([
    listDevices(),
    latestPositions(),
    listHouseholds(),
    loadZones(),
    loadCoverage(),
    unitTree(),
  ]);
  const flat = flattenUnits(roots).map(({ unit }) => unit);
  const wanted = flat
    .filter((u) => u.level !== 'grid' || flat.length <= MAX_BOUNDARY_FETCHES)
    .slice(0, MAX_BOUNDARY_FETCHES);
  const full = await inBatches(wanted, 6, (u) => getUnit(u.id).catch(() => null));
  const boundaries = new Map(full.flatMap((u) => (u?.boundary ? [[u.id, u.boundary] as const] : [])));
  const units = flat.map((u) => ({
    id: u.id,
    name: u.name,
    level: u.level,
    ...(u.center ? { center: u.center } : {}),
    ...(boundaries.has(u.id) ? { boundary: boundaries.get(u.id)! } : {}),
  }));
  return { devices, positions, households, zones, coverage, units };
}

export async function loadPastures(
  households: HouseholdRow[],
): Promise<{ id: string; coordinates: [number, number][][] }[]> {
  if (households.length > MAX_PASTURE_FETCHES) return [];
  const full = await inBatches(households, 6, (h) => getHousehold(h.id).catch(() => null));
  return full.flatMap((h) =>
    h?.pasture ? [{ id: h.id, coordinates: h.pasture.coordinates as [number, number][][] }] : [],
  );
}

export async function loadTracks(
  trackers: DeviceRow[],
  from: number,
  to: number,
): Promise<{ deviceId: string; points: Point[] }[]> {
  const all = await inBatches(trackers.slice(0, 50), 4, async (d) => ({
    deviceId: d.id,
    points: await track(d.id, from, to).catch(() => []),
  }));
  return all.filter((t) => t.points.length > 0);
}
