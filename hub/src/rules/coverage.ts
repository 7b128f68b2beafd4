import { createHash } from 'node:crypto';
import { distance } from '@turf/distance';
import { lineString } from '@turf/helpers';
import { lineChunk } from '@turf/line-chunk';
import type { Boxes } from './env.ts';
import type { BorderLine, BorderSegment } from './geo/border.ts';
import type { RulesStore } from './store.ts';

export interface SegmentCoverage {
  segment: BorderSegment;
  /** Source time of the last tracker fix within the pass distance; null when never patrolled. */
  lastPatrolledAt: number | null;
  deviceId: string | null;
  /** When coverage of this line began (the reference for never-patrolled segments). */
  since: number;
}

interface LineCoverage {
  line: BorderLine;
  /** Coverage of this geometry started then (never-patrolled segments count as unpatrolled since). */
  since: number;
  last: Float64Array;
  by: (string | null)[];
}

/**
 * Patrol coverage of the border lines: per segment, the last time a patrol tracker passed
 * within `patrolPassM`. Consecutive fixes of one tracker close in time are joined by a straight
 * track (densified with turf line-chunk every `patrolPassM`), so sparse fixes at speed still
 * cover the segments between them. Late fixes count too (the time only ever moves forward).
 * Persisted per segment; forgotten when a line's geometry or segment length changes.
 */
export class Coverage {
  private lines = new Map<string, LineCoverage>();
  private readonly dirty = new Set<string>();

  constructor(private readonly store: RulesStore) {}

  load(lines: readonly BorderLine[], segmentLengthM: number, now: number): void {
    this.flush();
    this.lines = new Map();
    for (const line of lines) {
      if (!line.zone.properties.patrol) continue;
      const hash = createHash('sha256')
        .update(JSON.stringify([segmentLengthM, line.zone.geometry.coordinates]))
        .digest('hex');
      const since = this.store.coverageSince(line.zoneId, hash, now);
      const last = new Float64Array(line.segments.length).fill(Number.NaN);
      const by: (string | null)[] = line.segments.map(() => null);
      for (const row of this.store.coverage(line.zoneId)) {
        if (row.idx < last.length) {
          last[row.idx] = row.lastPatrolledAt;
          by[row.idx] = row.deviceId;
        }
      }
      this.lines.set(line.zoneId, { line, since, last, by });
    }
  }

  /** Marks segments near a tracker's track from `prev` (if close enough in time) to `fix`. */
  pass(
    deviceId: string,
    prev: { t: number; lon: number; lat: number } | undefined,
    fix: { t: number; lon: number; lat: number },
    passM: number,
    joinMaxGapMs: number,
    boxes: Boxes,
  ): void {
    if (this.lines.size === 0) return;
    const points: [number, number][] = [[fix.lon, fix.lat]];
    if (prev && Math.abs(fix.t - prev.t) <= joinMaxGapMs) {
      const from: [number, number] = [prev.lon, prev.lat];
      const to: [number, number] = [fix.lon, fix.lat];
      if (distance(from, to, { units: 'meters' }) > passM) {
        for (const c of lineChunk(lineString([from, to]), passM, { units: 'meters' }).features) {
          points.push(c.geometry.coordinates[0] as [number, number]);
        }
      }
    }
    for (const cov of this.lines.values()) {
      for (const [lon, lat] of points) {
        for (const s of cov.line.segmentsWithin(lon, lat, passM, boxes.pass)) {
          const cur = cov.last[s.index]!;
          if (!(fix.t <= cur)) {
            cov.last[s.index] = fix.t;
            cov.by[s.index] = deviceId;
            this.dirty.add(`${cov.line.zoneId}\n${s.index}`);
          }
        }
      }
    }
  }

  segments(zoneId?: string): SegmentCoverage[] {
    const out: SegmentCoverage[] = [];
    for (const cov of this.lines.values()) {
      if (zoneId && cov.line.zoneId !== zoneId) continue;
      cov.line.segments.forEach((segment, i) => {
        const t = cov.last[i]!;
        out.push({
          segment,
          lastPatrolledAt: Number.isNaN(t) ? null : t,
          deviceId: cov.by[i] ?? null,
          since: cov.since,
        });
      });
    }
    return out;
  }

  /** Segments unpatrolled for longer than their policy at `now`. */
  overdue(now: number, policyMs: (unitId: string) => number): SegmentCoverage[] {
    const out: SegmentCoverage[] = [];
    for (const cov of this.lines.values()) {
      cov.line.segments.forEach((segment, i) => {
        const t = cov.last[i]!;
        const since = Number.isNaN(t) ? cov.since : t;
        if (now - since > policyMs(segment.unitId)) {
          out.push({
            segment,
            lastPatrolledAt: Number.isNaN(t) ? null : t,
            deviceId: cov.by[i] ?? null,
            since: cov.since,
          });
        }
      });
    }
    return out;
  }

  /** The (zone, unit) pairs segments are assigned to, for patrol-gap keys. */
  groups(): { zoneId: string; unitId: string }[] {
    const seen = new Map<string, { zoneId: string; unitId: string }>();
    for (const cov of this.lines.values()) {
      for (const s of cov.line.segments)
        seen.set(`${s.zoneId}\n${s.unitId}`, { zoneId: s.zoneId, unitId: s.unitId });
    }
    return [...seen.values()];
  }

  flush(): void {
    if (this.dirty.size === 0) return;
    this.store.transaction(() => {
      for (const k of this.dirty) {
        const [zoneId, idx] = k.split('\n') as [string, string];
        const cov = this.lines.get(zoneId);
        const i = Number(idx);
        if (cov && !Number.isNaN(cov.last[i]!)) {
          this.store.putCoverage({
            zoneId,
            idx: i,
            lastPatrolledAt: cov.last[i]!,
            deviceId: cov.by[i] ?? null,
          });
        }
      }
    });
    this.dirty.clear();
  }
}
