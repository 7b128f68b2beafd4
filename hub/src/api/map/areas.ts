import type { Texts } from '@steppelink/protocols';
import Flatbush from 'flatbush';
import type { UnitLevel } from '../../registry/schema.ts';
import type { Db } from '../../state/db.ts';
import type { BBox } from './points.ts';

/**
 * Administrative boundaries and pastures for the map, by viewport and zoom: a level's boundaries
 * from the zoom where they are more than a smudge, its names from the zoom where they fit, and
 * pastures only close up — each looked up in a spatial index (flatbush) of the caller's scope,
 * so a league of any size sends the browser what is on screen and no more.
 */
export const LEVEL_ZOOM: Record<UnitLevel, { boundary: number; label: [number, number] }> = {
  league: { boundary: 0, label: [0, 6] },
  banner: { boundary: 0, label: [0, 9] },
  sumu: { boundary: 7, label: [8, 11] },
  gacha: { boundary: 9, label: [10, 13] },
  grid: { boundary: 11, label: [12, 22] },
};
/** Pastures are drawn from this zoom (a pasture is 2–3 km across: a few pixels below it). */
export const PASTURE_ZOOM = 11;
/** At most this many pastures in one answer (a wall screen at zoom 11 over the densest gacha holds far fewer). */
export const MAX_PASTURES = 3000;

type Ring = [number, number][];
export interface AreaUnit {
  id: string;
  level: UnitLevel;
  name: Texts;
  center: { lat: number; lon: number } | null;
  boundary: Ring[] | null;
}

export interface AreaIndex {
  units: AreaUnit[];
  unitBoxes: Flatbush | null;
  pastures: { id: string; rings: Ring[] }[];
  pastureBoxes: Flatbush | null;
}

function boxOf(rings: Ring[] | null, center: { lat: number; lon: number } | null): BBox | null {
  if (rings?.[0]?.length) {
    const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [x, y] of rings[0]) {
      b[0] = Math.min(b[0], x);
      b[1] = Math.min(b[1], y);
      b[2] = Math.max(b[2], x);
      b[3] = Math.max(b[3], y);
    }
    return b;
  }
  return center ? [center.lon, center.lat, center.lon, center.lat] : null;
}

function indexOf<T>(items: T[], box: (t: T) => BBox): Flatbush | null {
  if (items.length === 0) return null;
  const f = new Flatbush(items.length);
  for (const it of items) f.add(...box(it));
  f.finish();
  return f;
}

export function areaIndex(db: Db, units: readonly string[]): AreaIndex {
  const json = JSON.stringify(units);
  const rows = db
    .prepare(
      `SELECT id, level, name_zh, name_mn, name_en, center_lat, center_lon, boundary FROM units
       WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    )
    .all(json) as Record<string, unknown>[];
  const all = rows.map((r): AreaUnit & { box: BBox | null } => {
    const center =
      r.center_lat === null || r.center_lon === null
        ? null
        : { lat: r.center_lat as number, lon: r.center_lon as number };
    const boundary = r.boundary ? (JSON.parse(r.boundary as string).coordinates as Ring[]) : null;
    return {
      id: r.id as string,
      level: r.level as UnitLevel,
      name: { zh: r.name_zh as string, mn: r.name_mn as string, en: r.name_en as string },
      center,
      boundary,
      box: boxOf(boundary, center),
    };
  });
  const placed = all.filter((u): u is AreaUnit & { box: BBox } => u.box !== null);
  const pastures = (
    db
      .prepare(
        `SELECT id, pasture FROM households WHERE grid IN (SELECT value FROM json_each(?)) AND pasture IS NOT NULL ORDER BY id`,
      )
      .all(json) as { id: string; pasture: string }[]
  ).map((r) => ({ id: r.id, rings: JSON.parse(r.pasture).coordinates as Ring[] }));
  const pastureBoxes = pastures.map((p) => boxOf(p.rings, null)!);
  return {
    units: placed.map(({ box: _, ...u }) => u),
    unitBoxes: indexOf(placed, (u) => u.box),
    pastures,
    pastureBoxes: indexOf(pastureBoxes, (b) => b),
  };
}

const inRange = (zoom: number, [lo, hi]: [number, number]) => zoom >= lo && zoom <= hi;

/** The units and pastures to draw in `bbox` at `zoom`. */
export function areasIn(a: AreaIndex, bbox: BBox, zoom: number) {
  const units = (a.unitBoxes?.search(...bbox) ?? [])
    .sort((x, y) => x - y)
    .map((i) => a.units[i]!)
    .flatMap((u) => {
      const z = LEVEL_ZOOM[u.level];
      const boundary = zoom >= z.boundary ? u.boundary : null;
      const label = inRange(zoom, z.label) && u.center !== null;
      if (!boundary && !label) return [];
      return [{ id: u.id, level: u.level, name: u.name, center: u.center, label, boundary }];
    });
  let pastures: { id: string; rings: Ring[] }[] = [];
  let truncated = false;
  if (zoom >= PASTURE_ZOOM && a.pastureBoxes) {
    const hits = a.pastureBoxes.search(...bbox).sort((x, y) => x - y);
    truncated = hits.length > MAX_PASTURES;
    pastures = hits.slice(0, MAX_PASTURES).map((i) => a.pastures[i]!);
  }
  return { units, pastures, truncated };
}
