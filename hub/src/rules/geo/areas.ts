import { bbox } from '@turf/bbox';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import Flatbush from 'flatbush';
import type { LineString } from 'geojson';
import type { AreaGeometry } from '../zones.ts';
import type { BBox } from './measure.ts';
import { nearestM, toSegments } from './nearest.ts';

/** A polygon area (pasture, ban, fence, base) with its payload. */
export class Area<T> {
  readonly bbox: BBox;
  private edges: LineString[] | undefined;
  constructor(
    readonly geometry: AreaGeometry,
    readonly data: T,
  ) {
    this.bbox = bbox(geometry) as BBox;
  }
  contains(lon: number, lat: number): boolean {
    const [x0, y0, x1, y1] = this.bbox;
    if (lon < x0 || lon > x1 || lat < y0 || lat > y1) return false;
    return booleanPointInPolygon([lon, lat], this.geometry);
  }
  /** Metres from the point to the nearest edge (outer ring or hole). */
  edgeDistanceM(lon: number, lat: number): number {
    this.edges ??= (
      this.geometry.type === 'Polygon' ? this.geometry.coordinates : this.geometry.coordinates.flat()
    ).flatMap((ring) => toSegments(ring));
    return nearestM(lon, lat, this.edges);
  }
  /** Negative inside (by how far), positive outside. */
  signedDistanceM(lon: number, lat: number): number {
    const d = this.edgeDistanceM(lon, lat);
    return this.contains(lon, lat) ? -d : d;
  }
}

/**
 * Signed distance of a point to the union of areas: inside any → minus the deepest inside
 * distance; outside all → the distance to the nearest edge. No areas → +Infinity.
 */
export function signedDistanceToUnionM(areas: readonly Area<unknown>[], lon: number, lat: number): number {
  let inside = false;
  let deepest = 0;
  let nearest = Number.POSITIVE_INFINITY;
  for (const a of areas) {
    const d = a.edgeDistanceM(lon, lat);
    if (a.contains(lon, lat)) {
      inside = true;
      deepest = Math.min(deepest, -d);
    } else nearest = Math.min(nearest, d);
  }
  return inside ? deepest : nearest;
}

/** Areas in a static R-tree (flatbush): candidates by bounding box, then turf point-in-polygon. */
export class AreaIndex<T> {
  readonly areas: Area<T>[];
  private readonly index: Flatbush | undefined;
  constructor(items: readonly { geometry: AreaGeometry; data: T }[]) {
    this.areas = items.map((i) => new Area(i.geometry, i.data));
    if (this.areas.length === 0) return;
    this.index = new Flatbush(this.areas.length);
    for (const a of this.areas) this.index.add(...a.bbox);
    this.index.finish();
  }
  get size(): number {
    return this.areas.length;
  }
  /** Areas whose bounding box meets `box`. */
  near(box: BBox): Area<T>[] {
    return this.index ? this.index.search(...box).map((i) => this.areas[i]!) : [];
  }
  /** Areas containing the point. */
  containing(lon: number, lat: number): Area<T>[] {
    if (!this.index) return [];
    return this.index
      .search(lon, lat, lon, lat)
      .map((i) => this.areas[i]!)
      .filter((a) => a.contains(lon, lat));
  }
}
