import Supercluster, { type Options } from 'supercluster';
import type { DeviceKind } from '../../registry/schema.ts';
import type { Db } from '../../state/db.ts';

/**
 * Households and devices as the map shows them: clustered (supercluster) where they would crowd,
 * one by one where there is room, and only what lies in the viewport. The index is built once per
 * scope (cache.ts) and answers a bbox and zoom in well under a millisecond, so the browser is sent
 * what it draws — a few dozen clusters for the whole league — instead of every household.
 */
export const CLUSTERING = {
  radius: 64, // in 512-unit tiles: 32 screen pixels on Leaflet's 256-pixel tiles
  extent: 512,
  maxZoom: 13, // from zoom 14 (a village's camps) every point is shown on its own
  minPoints: 3, // two camps side by side stay two marks
};

export type BBox = [west: number, south: number, east: number, north: number];

type HouseholdProps = {
  id: string;
  name: string;
  grid: string;
};
type DeviceProps = {
  id: string;
  kind: DeviceKind;
  online: boolean;
  gps: boolean;
  household: string | null;
  owner: string | null;
};
type Counts = { online?: number };

export interface PointIndex<P extends HouseholdProps | DeviceProps> {
  index: Supercluster<P, Counts>;
  total: number;
  /** The box around every point, or null when there are none. */
  extent: BBox | null;
}

export type Cluster = {
  type: 'cluster';
  id: number;
  lat: number;
  lon: number;
  count: number;
  zoom: number;
  online?: number;
};
export type HouseholdItem = { type: 'household'; lat: number; lon: number } & HouseholdProps;
export type DeviceItem = { type: 'device'; lat: number; lon: number } & DeviceProps;

function build<P extends HouseholdProps | DeviceProps>(
  points: { lon: number; lat: number; props: P }[],
  options: Options<P, Counts> = {},
): PointIndex<P> {
  const index = new Supercluster<P, Counts>({ ...CLUSTERING, ...options });
  index.load(
    points.map((p) => ({
      type: 'Feature' as const,
      geometry: { type: 'Point' as const, coordinates: [p.lon, p.lat] },
      properties: p.props,
    })),
  );
  let extent: BBox | null = null;
  for (const { lon, lat } of points) {
    if (!extent) extent = [lon, lat, lon, lat];
    else
      extent = [
        Math.min(extent[0], lon),
        Math.min(extent[1], lat),
        Math.max(extent[2], lon),
        Math.max(extent[3], lat),
      ];
  }
  return { index, total: points.length, extent };
}

export function householdIndex(db: Db, units: readonly string[]): PointIndex<HouseholdProps> {
  const rows = db
    .prepare(
      'SELECT id, name, grid, lat, lon FROM households WHERE grid IN (SELECT value FROM json_each(?)) ORDER BY id',
    )
    .all(JSON.stringify(units)) as (HouseholdProps & { lat: number; lon: number })[];
  return build(rows.map(({ lat, lon, ...props }) => ({ lat, lon, props })));
}

/** A device's place: its own latest fix, else its household's camp (set-top boxes have no GPS). */
export function deviceIndex(
  rows: {
    id: string;
    kind: DeviceKind;
    household: string | null;
    label: string | null;
    homeName: string | null;
    homeLat: number | null;
    homeLon: number | null;
  }[],
  fixes: ReadonlyMap<string, { lat: number; lon: number }>,
  online: (id: string) => boolean,
): PointIndex<DeviceProps> {
  const points = rows.flatMap((d) => {
    const fix = fixes.get(d.id);
    const at = fix ?? (d.homeLat !== null && d.homeLon !== null ? { lat: d.homeLat, lon: d.homeLon } : null);
    if (!at) return [];
    const props: DeviceProps = {
      id: d.id,
      kind: d.kind,
      online: online(d.id),
      gps: Boolean(fix),
      household: d.household,
      owner: d.homeName ?? d.label,
    };
    return [{ lat: at.lat, lon: at.lon, props }];
  });
  return build(points, {
    map: (p) => ({ online: p.online ? 1 : 0 }),
    reduce: (acc, p) => {
      acc.online = (acc.online ?? 0) + (p.online ?? 0);
    },
  });
}

/** What lies in `bbox` at `zoom`: clusters (with the zoom at which each splits) and single points. */
export function pointsIn<P extends HouseholdProps | DeviceProps>(
  { index }: PointIndex<P>,
  bbox: BBox,
  zoom: number,
): (Cluster | ({ lat: number; lon: number } & P))[] {
  return index.getClusters(bbox, Math.floor(zoom)).map((f) => {
    const [lon, lat] = f.geometry.coordinates as [number, number];
    const p = f.properties as Record<string, unknown>;
    if (p.cluster) {
      const id = p.cluster_id as number;
      return {
        type: 'cluster' as const,
        id,
        lat: round(lat),
        lon: round(lon),
        count: p.point_count as number,
        zoom: index.getClusterExpansionZoom(id),
        ...(typeof p.online === 'number' ? { online: p.online } : {}),
      };
    }
    // (supercluster hands points back through its projection: 41.9 comes back as 41.900000000000006)
    return { ...(f.properties as P), lat: round(lat, 1e6), lon: round(lon, 1e6) };
  });
}

const round = (x: number, scale = 1e5) => Math.round(x * scale) / scale;
