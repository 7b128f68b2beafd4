import { distance } from '@turf/distance';
import type { AlertInput } from '../incidents/port.ts';
import type { Coverage } from './coverage.ts';
import { type Effect, effectsOf, type Observation, type RuleEnv } from './env.ts';
import type { Level } from './latch.ts';
import type { Owner } from './subjects.ts';
import { texts } from './texts.ts';

type TeamOwner = Extract<Owner, { type: 'team' }>;
interface Point {
  t: number;
  lon: number;
  lat: number;
}
interface TrackerState {
  last: Point | undefined;
  /** Where the tracker last stopped moving (moved less than manDownRadiusM since). */
  anchor: Point | undefined;
  /** Odometer samples (t, metres so far), pruned to the active window, and the baseline before them. */
  odo: { t: number; m: number }[];
  odoM: number;
  baseM: number;
  inBase: boolean;
}
const MAX_ODO_SAMPLES = 512; // plenty for a 2 h window of anchor moves; bounds memory per tracker

/**
 * Rules for a patrol tracker (a team-owned device): patrol coverage of the border (every fix,
 * late ones too), border crossing (patrols are exempt from the buffer rule, not from crossing)
 * and possible man-down: stationary for `manDownAfterMs` during a patrol (having travelled
 * `patrolMinTravelM` in the window before stopping) and not at a patrol base.
 */
export class Patrol {
  private readonly trackers = new Map<string, TrackerState>();

  constructor(private readonly coverage: Coverage) {}

  evaluate(env: RuleEnv, deviceId: string, owner: TeamOwner, o: Observation, inOrder: boolean): Effect[] {
    const s = env.settings;
    const st = this.state(deviceId);
    this.coverage.pass(deviceId, st.last, o, s.patrolPassM, s.patrolJoinMaxGapMs, env.boxes);
    if (!inOrder) return [];
    st.last = { t: o.t, lon: o.lon, lat: o.lat };
    st.inBase = env.zones.bases.containing(o.lon, o.lat).length > 0;
    return [...this.crossing(env, deviceId, owner, o), ...this.manDown(env, deviceId, owner, o, st)];
  }

  /** Was the tracker on patrol when last heard (moving in the window before, and not at a base)? */
  isOnPatrol(deviceId: string, env: RuleEnv): boolean {
    const st = this.trackers.get(deviceId);
    if (!st?.last || st.inBase) return false;
    return this.travelled(st, st.last.t - env.settings.patrolActiveWindowMs) >= env.settings.patrolMinTravelM;
  }

  forget(before: number): void {
    for (const [id, st] of this.trackers) if (!st.last || st.last.t < before) this.trackers.delete(id);
  }

  private state(deviceId: string): TrackerState {
    let st = this.trackers.get(deviceId);
    if (!st) {
      st = { last: undefined, anchor: undefined, odo: [], odoM: 0, baseM: 0, inBase: false };
      this.trackers.set(deviceId, st);
    }
    return st;
  }

  private travelled(st: TrackerState, since: number): number {
    let before = st.baseM;
    for (const x of st.odo) {
      if (x.t >= since) break;
      before = x.m;
    }
    return st.odoM - before;
  }

  private common(owner: TeamOwner, deviceId: string, o: Observation) {
    return {
      source: 'rule' as const,
      unitId: owner.unitId,
      alsoNotify: owner.bannerId && owner.bannerId !== owner.unitId ? [owner.bannerId] : [],
      deviceId,
      pos: { lat: o.lat, lon: o.lon },
      at: o.t,
    } satisfies Partial<AlertInput>;
  }

  private crossing(env: RuleEnv, deviceId: string, owner: TeamOwner, o: Observation): Effect[] {
    const lines = env.zones.borders;
    if (lines.length === 0) return [];
    const s = env.settings;
    let dist = Number.POSITIVE_INFINITY;
    let far = false;
    for (const line of lines) {
      dist = Math.min(dist, line.distanceWithinM(o.lon, o.lat, env.boxes.border));
      far ||= line.isFarSide(o.lon, o.lat);
    }
    const level: Level = dist <= s.crossingMarginM ? 'hold' : far ? 'on' : 'off';
    const key = `border-crossing:${owner.teamId}:${deviceId}`;
    const event = env.conditions.step(
      key,
      { category: 'border-crossing', unitId: owner.unitId },
      o.t,
      level,
      { onAfterMs: s.crossingDebounceMs, offAfterMs: s.crossingClearMs },
      o.fresh,
    );
    return effectsOf(
      event,
      key,
      o.t,
      () => ({
        ...this.common(owner, deviceId, o),
        category: 'border-crossing',
        severity: 'high',
        key,
        summary: texts.borderCrossing(owner.name, deviceId),
        details: { teamId: owner.teamId, distanceM: Number.isFinite(dist) ? Math.round(dist) : null },
      }),
      'back on this side of the border',
    );
  }

  private manDown(
    env: RuleEnv,
    deviceId: string,
    owner: TeamOwner,
    o: Observation,
    st: TrackerState,
  ): Effect[] {
    const s = env.settings;
    const here: Point = { t: o.t, lon: o.lon, lat: o.lat };
    let level: Level = 'hold';
    const moved = st.anchor
      ? distance([st.anchor.lon, st.anchor.lat], [o.lon, o.lat], { units: 'meters' })
      : 0;
    if (!st.anchor || moved > s.manDownRadiusM) {
      if (st.anchor) this.addTravel(st, moved, o.t, s.patrolActiveWindowMs);
      level = st.anchor && moved > s.manDownClearRadiusM ? 'off' : 'hold';
      st.anchor = here;
    } else if (st.inBase) {
      level = 'off';
    } else {
      const stillMs = o.t - st.anchor.t;
      const onPatrol = this.travelled(st, st.anchor.t - s.patrolActiveWindowMs) >= s.patrolMinTravelM;
      if (stillMs >= s.manDownAfterMs && onPatrol) level = 'on';
    }
    const key = `man-down:${deviceId}`;
    const stillMin = Math.round((o.t - (st.anchor?.t ?? o.t)) / 60_000);
    const event = env.conditions.step(
      key,
      { category: 'man-down', unitId: owner.unitId },
      o.t,
      level,
      { onAfterMs: 0, offAfterMs: 0 },
      o.fresh,
    );
    return effectsOf(
      event,
      key,
      o.t,
      () => ({
        ...this.common(owner, deviceId, o),
        category: 'man-down',
        severity: 'high',
        key,
        summary: texts.manDown(owner.name, deviceId, stillMin),
        details: { teamId: owner.teamId, stationaryMin: stillMin, radiusM: s.manDownRadiusM },
      }),
      'the tracker moves again',
    );
  }

  private addTravel(st: TrackerState, m: number, t: number, windowMs: number): void {
    st.odoM += m;
    st.odo.push({ t, m: st.odoM });
    while (st.odo.length > MAX_ODO_SAMPLES || (st.odo.length > 1 && st.odo[0]!.t < t - 2 * windowMs)) {
      st.baseM = st.odo.shift()!.m;
    }
  }
}
