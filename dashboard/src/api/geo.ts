import { ApiError, request } from './http.ts';

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
  const body = await optional(request<unknown>('/api/zones'), null);
  const b = body as { features?: Feature[]; zones?: Feature[]; items?: Feature[] } | Feature[] | null;
  const features = Array.isArray(b) ? b : (b?.features ?? b?.zones ?? b?.items ?? []);
  return { type: 'FeatureCollection', features: features.filter((f) => f?.geometry) };
}

export async function loadCoverage(): Promise<CoverageSegment[]> {
  const body = await optional(request<unknown>('/api/coverage'), null);
  const b = body as { segments?: unknown[]; items?: unknown[] } | unknown[] | null;
  const rows = (Array.isArray(b) ? b : (b?.segments ?? b?.items ?? [])) as Record<string, unknown>[];
  return rows.flatMap((r) => {
    const geom = r.geometry as { coordinates?: [number, number][] } | undefined;
    const coords = (r.coordinates ?? geom?.coordinates ?? r.line) as [number, number][] | undefined;
    if (!Array.isArray(coords) || coords.length < 2) return [];
    const last = r.lastPatrolledAt ?? r.lastPatrolled ?? r.lastAt;
    return [
      {
        id: String(r.id ?? r.index ?? ''),
        unitId: typeof r.unitId === 'string' ? r.unitId : undefined,
        coordinates: coords,
        lastPatrolledAt: typeof last === 'number' ? last : null,
      },
    ];
  });
}
