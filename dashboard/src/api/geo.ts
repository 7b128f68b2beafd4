import { api } from './client.ts';
import { ApiError, ok } from './http.ts';

/**
 * Map data owned by the rules module (zones as GeoJSON, patrol coverage per border segment) and
 * the deployer's map configuration. Each is optional: a hub without it answers 404 and the map
 * simply leaves that layer out.
 */
export interface Feature {
  type: 'Feature';
  id?: string | number;
  properties: Record<string, unknown>;
  geometry: { type: string; coordinates: unknown };
}
export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
}

export interface CoverageSegment {
  id: string;
  unitId?: string;
  /** [lon, lat] pairs of the segment, GeoJSON order. */
  coordinates: [number, number][];
  lastPatrolledAt: number | null;
}

export interface MapConfig {
  /** A local tile directory served by the hub (`{z}/{x}/{y}.png`), or none: a plain background. */
  tiles?: { url: string; maxZoom?: number; attribution?: string };
  /** Where the map opens when there is nothing of the person's to show yet. */
  center?: { lat: number; lon: number; zoom?: number };
}

async function optional<T>(p: Promise<T>, empty: T): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return empty;
    throw e;
  }
}

export async function loadMapConfig(): Promise<MapConfig> {
  try {
    const res = await fetch('/dashboard-config.json', { credentials: 'same-origin' });
    return res.ok ? (((await res.json()) as { map?: MapConfig }).map ?? {}) : {};
  } catch {
    return {};
  }
}

export async function loadZones(): Promise<FeatureCollection> {
  const body = await optional(ok(api.api.rules.zones.$get({ query: {} })), null);
  return { type: 'FeatureCollection', features: (body?.features ?? []).filter((f) => f.geometry) };
}

/** Patrol coverage per border segment (GeoJSON form of GET /api/rules/coverage). */
export async function loadCoverage(): Promise<CoverageSegment[]> {
  const fc = await optional(ok(api.api.rules.coverage.$get({ query: { format: 'geojson' } })), null);
  const features = fc && 'features' in fc ? fc.features : [];
  return features.flatMap((f) => {
    const coords = f.geometry?.coordinates as [number, number][] | undefined;
    if (f.geometry?.type !== 'LineString' || !Array.isArray(coords) || coords.length < 2) return [];
    const p = f.properties;
    return [
      {
        id: String(p.id ?? f.id ?? ''),
        unitId: typeof p.unitId === 'string' ? p.unitId : undefined,
        coordinates: coords,
        lastPatrolledAt: typeof p.lastPatrolledAt === 'number' ? p.lastPatrolledAt : null,
      },
    ];
  });
}
