import { bbox } from '@turf/bbox';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { feature, polygon } from '@turf/helpers';
import { length } from '@turf/length';
import { lineChunk } from '@turf/line-chunk';
import Flatbush from 'flatbush';
import type { Feature, LineString, Polygon } from 'geojson';
import type { BorderZone } from '../zones.ts';
import type { BBox, DegreeBoxes } from './measure.ts';
import { nearestM, toSegments, withinM } from './nearest.ts';

export interface BorderSegment {
  /** `${zoneId}:${index}` — stable while the line's geometry and segment length stay the same. */
  id: string;
  zoneId: string;
  index: number;
  fromKm: number;
  toKm: number;
  /** The unit responsible for the stretch (its section's unit, else the zone's). */
  unitId: string;
  line: Feature<LineString>;
  bbox: BBox;
  /** The segment's 2-point pieces, for distance queries. */
  edges: LineString[];
}

const SIDE_CELL_DEG = 0.02; // ≈ 2 km cells for the far-side lookup table
const SLIVER_SHARE = 0.1; // a last piece shorter than this share of a segment is merged into the one before
const CAP_DEG = 1; // the far-side polygon reaches this far beyond the line's extent
enum Side {
  Near = 0,
  Far = 1,
  Mixed = 2,
}

/**
 * One border line, split into segments (turf line-chunk) indexed in flatbush. Answers: how far
 * is a point from the line (when within a limit), which segments pass within a distance, and is
 * the point on the far side (the other country)? The far side is the polygon closing the line
 * toward `farSide`; a coarse grid pre-classifies cells wholly on one side so that most lookups
 * skip the full point-in-polygon test. Assumes the line runs across the region (monotone enough
 * toward its far side that the closing polygon is simple), as a land border stretch does.
 */
export class BorderLine {
  readonly zoneId: string;
  readonly lengthKm: number;
  readonly segments: BorderSegment[];
  private readonly index: Flatbush;
  private readonly far: Feature<Polygon>;
  private readonly grid: { x0: number; y0: number; nx: number; ny: number; cells: Uint8Array };

  constructor(
    readonly zone: BorderZone,
    segmentLengthM: number,
  ) {
    this.zoneId = zone.properties.id;
    const line = zone.geometry;
    this.lengthKm = length(feature(line), { units: 'kilometers' });
    const sections = zone.properties.sections;
    const segKm = segmentLengthM / 1000;
    const chunks = lineChunk(line, segKm, { units: 'kilometers' }).features;
    // A sliver left at the end (the line a few metres longer than whole segments) joins the last segment.
    const tail = chunks.at(-1)!;
    if (chunks.length > 1 && length(tail, { units: 'kilometers' }) < segKm * SLIVER_SHARE) {
      chunks.pop();
      chunks.at(-1)!.geometry.coordinates.push(...tail.geometry.coordinates.slice(1));
    }
    this.segments = chunks.map((f, index) => {
      const fromKm = index * segKm;
      const toKm = index === chunks.length - 1 ? this.lengthKm : (index + 1) * segKm;
      const mid = (fromKm + toKm) / 2;
      const section = sections.find((s) => mid >= s.fromKm && mid < s.toKm);
      return {
        id: `${this.zoneId}:${index}`,
        zoneId: this.zoneId,
        index,
        fromKm,
        toKm,
        unitId: section?.unitId ?? zone.properties.unitId,
        line: f,
        bbox: bbox(f) as BBox,
        edges: toSegments(f.geometry.coordinates),
      };
    });
    this.index = new Flatbush(this.segments.length);
    for (const s of this.segments) this.index.add(...s.bbox);
    this.index.finish();
    this.far = farSidePolygon(line.coordinates as [number, number][], zone.properties.farSide);
    this.grid = this.classify();
  }

  /**
   * Metres from the point to the line, exact when the line passes within the radius of `boxes`;
   * beyond it the answer is some distance above the radius, or +Infinity.
   */
  distanceWithinM(lon: number, lat: number, boxes: DegreeBoxes): number {
    const near = this.index.search(...boxes.around(lon, lat));
    return near.length === 0
      ? Number.POSITIVE_INFINITY
      : nearestM(
          lon,
          lat,
          near.flatMap((i) => this.segments[i]!.edges),
        );
  }

  /** Segments passing within `maxM` metres of the point. */
  segmentsWithin(lon: number, lat: number, maxM: number, boxes: DegreeBoxes): BorderSegment[] {
    return this.index
      .search(...boxes.around(lon, lat))
      .map((i) => this.segments[i]!)
      .filter((s) => withinM(lon, lat, s.edges, maxM));
  }

  /** Is the point on the other country's side of the line? */
  isFarSide(lon: number, lat: number): boolean {
    const { x0, y0, nx, ny, cells } = this.grid;
    const cx = Math.floor((lon - x0) / SIDE_CELL_DEG);
    const cy = Math.floor((lat - y0) / SIDE_CELL_DEG);
    if (cx < 0 || cy < 0 || cx >= nx || cy >= ny) return false; // beyond the far-side polygon's box
    const c = cells[cy * nx + cx];
    return c === Side.Mixed ? booleanPointInPolygon([lon, lat], this.far) : c === Side.Far;
  }

  /** Cells of the far-side polygon's box: wholly near side, wholly far side, or mixed (an edge passes). */
  private classify(): BorderLine['grid'] {
    const [minX, minY, maxX, maxY] = bbox(this.far);
    const nx = Math.ceil((maxX - minX) / SIDE_CELL_DEG) + 1;
    const ny = Math.ceil((maxY - minY) / SIDE_CELL_DEG) + 1;
    const ring = this.far.geometry.coordinates[0]!;
    const edges = new Flatbush(ring.length - 1);
    for (let i = 0; i + 1 < ring.length; i++) {
      const [ax, ay] = ring[i] as [number, number];
      const [bx, by] = ring[i + 1] as [number, number];
      edges.add(Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by));
    }
    edges.finish();
    // Column by column, bottom up: cells no edge touches share their side with the previous such
    // cell unless a mixed cell lies between, so only the first cell of each run needs a
    // point-in-polygon test.
    const cells = new Uint8Array(nx * ny);
    for (let cx = 0; cx < nx; cx++) {
      let run: Side | null = null;
      for (let cy = 0; cy < ny; cy++) {
        const x = minX + cx * SIDE_CELL_DEG;
        const y = minY + cy * SIDE_CELL_DEG;
        if (edges.collides(x, y, x + SIDE_CELL_DEG, y + SIDE_CELL_DEG)) {
          cells[cy * nx + cx] = Side.Mixed;
          run = null;
          continue;
        }
        run ??= booleanPointInPolygon([x + SIDE_CELL_DEG / 2, y + SIDE_CELL_DEG / 2], this.far)
          ? Side.Far
          : Side.Near;
        cells[cy * nx + cx] = run;
      }
    }
    return { x0: minX, y0: minY, nx, ny, cells };
  }
}

/** The polygon between the line and a cap `CAP_DEG` beyond its extent on the far side. */
function farSidePolygon(
  coords: [number, number][],
  farSide: 'north' | 'south' | 'east' | 'west',
): Feature<Polygon> {
  const [minX, minY, maxX, maxY] = bbox({ type: 'LineString', coordinates: coords });
  const first = coords[0]!;
  const last = coords.at(-1)!;
  const cap: Record<typeof farSide, [number, number][]> = {
    north: [
      [last[0], maxY + CAP_DEG],
      [first[0], maxY + CAP_DEG],
    ],
    south: [
      [last[0], minY - CAP_DEG],
      [first[0], minY - CAP_DEG],
    ],
    east: [
      [maxX + CAP_DEG, last[1]],
      [maxX + CAP_DEG, first[1]],
    ],
    west: [
      [minX - CAP_DEG, last[1]],
      [minX - CAP_DEG, first[1]],
    ],
  };
  const ring = [...coords.map(([x, y]) => [x, y] as [number, number]), ...cap[farSide], [first[0], first[1]]];
  return polygon([ring]);
}
