import { createHash } from 'node:crypto';
import type { AlertInput } from '../incidents/port.ts';
import type { Conditions } from './conditions.ts';
import type { RulesSettings } from './defaults.ts';
import { AreaIndex } from './geo/areas.ts';
import { BorderLine } from './geo/border.ts';
import { DegreeBoxes } from './geo/measure.ts';
import type { LatchEvent } from './latch.ts';
import type { Subjects } from './subjects.ts';
import {
  type BanZone,
  type BaseZone,
  type BorderZone,
  type FenceZone,
  isBan,
  isBase,
  isBorder,
  isFence,
  type Zone,
} from './zones.ts';

/** What evaluating an observation asks of the incident engine, in order. */
export type Effect =
  | { type: 'raise'; alert: AlertInput }
  | { type: 'clear'; key: string; at: number; note: string };

/** Zones compiled for lookups: border lines with their segments, ban/base areas in R-trees. */
export interface ZoneSet {
  all: Zone[];
  borders: BorderLine[];
  bans: AreaIndex<BanZone>;
  bases: AreaIndex<BaseZone>;
  fences: FenceZone[];
}

/**
 * Border lines are immutable once built (segments, far-side grid; ~0.2 s for 369 km): reuse them
 * for the same zone document and segment length, e.g. across a reload or an edit of other zones.
 */
const built = new Map<string, BorderLine>();
const BUILT_MAX = 8; // a league has one or two border lines; a few stale versions at most
function borderLine(z: BorderZone, segmentLengthM: number): BorderLine {
  const key = createHash('sha256')
    .update(JSON.stringify([segmentLengthM, z]))
    .digest('hex');
  let line = built.get(key);
  if (!line) {
    line = new BorderLine(z, segmentLengthM);
    if (built.size >= BUILT_MAX) built.delete(built.keys().next().value!);
    built.set(key, line);
  }
  return line;
}

export function compileZones(zones: readonly Zone[], settings: RulesSettings): ZoneSet {
  return {
    all: [...zones],
    borders: zones.filter(isBorder).map((z) => borderLine(z, settings.segmentLengthM)),
    bans: new AreaIndex(zones.filter(isBan).map((z) => ({ geometry: z.geometry, data: z }))),
    bases: new AreaIndex(zones.filter(isBase).map((z) => ({ geometry: z.geometry, data: z }))),
    fences: zones.filter(isFence),
  };
}

/** Search boxes sized for each distance the rules look around a point. */
export interface Boxes {
  border: DegreeBoxes;
  pass: DegreeBoxes;
  ban: DegreeBoxes;
}
export function makeBoxes(s: RulesSettings): Boxes {
  return {
    border: new DegreeBoxes(s.borderBufferM + s.borderHysteresisM),
    pass: new DegreeBoxes(s.patrolPassM),
    ban: new DegreeBoxes(s.banMarginM),
  };
}

/** Everything a rule needs to evaluate an observation. */
export interface RuleEnv {
  settings: RulesSettings;
  conditions: Conditions;
  subjects: Subjects;
  zones: ZoneSet;
  boxes: Boxes;
}

/** One position of a subject, in source time, with whether an alert from it would still be news. */
export interface Observation {
  subjectId: string;
  t: number;
  lat: number;
  lon: number;
  fresh: boolean;
}

/** Turns a latch event into incident actions. */
export function effectsOf(
  event: LatchEvent,
  key: string,
  at: number,
  alert: () => AlertInput,
  clearNote: string,
): Effect[] {
  if (event === 'raise') return [{ type: 'raise', alert: alert() }];
  if (event === 'clear') return [{ type: 'clear', key, at, note: clearNote }];
  return [];
}
