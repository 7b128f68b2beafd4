import type { AlertInput } from '../incidents/port.ts';
import { type Effect, effectsOf, type Observation, type RuleEnv } from './env.ts';
import { signedDistanceToUnionM } from './geo/areas.ts';
import type { Level } from './latch.ts';
import { activeAt } from './schedule.ts';
import type { Owner } from './subjects.ts';
import { texts } from './texts.ts';

type HouseholdOwner = Extract<Owner, { type: 'household' }>;

/**
 * Rules for a herd or animal position (a collar relay, or any household-owned tracker):
 * stray outside the pasture, border approach and crossing, grazing bans. Each rule keeps one
 * latch per subject (`${category}:${householdId}:${subject}`) and is routed to the household's
 * grid; border alerts also notify the township (sumu), whose police-civilian station acts.
 */
export function evaluateLivestock(
  env: RuleEnv,
  deviceId: string,
  owner: HouseholdOwner,
  o: Observation,
): Effect[] {
  return [
    ...stray(env, deviceId, owner, o),
    ...border(env, deviceId, owner, o),
    ...bans(env, deviceId, owner, o),
  ];
}

function base(
  owner: HouseholdOwner,
  deviceId: string,
  o: Observation,
): Pick<AlertInput, 'source' | 'unitId' | 'householdId' | 'deviceId' | 'pos' | 'at'> {
  return {
    source: 'rule',
    unitId: owner.gridId,
    householdId: owner.householdId,
    deviceId,
    pos: { lat: o.lat, lon: o.lon },
    at: o.t,
  };
}

function stray(env: RuleEnv, deviceId: string, owner: HouseholdOwner, o: Observation): Effect[] {
  const areas = env.subjects.allowedAreas(owner.householdId);
  if (areas.length === 0) return []; // no pasture on record: nothing to stray from
  const key = `stray:${owner.householdId}:${o.subjectId}`;
  const s = env.settings;
  // Fast path: an idle subject inside its own pasture needs no distance.
  if (!env.conditions.get(key) && areas.some((a) => a.contains(o.lon, o.lat))) return [];
  const d = signedDistanceToUnionM(areas, o.lon, o.lat);
  const level: Level = d > s.strayOutsideMarginM ? 'on' : d < -s.strayInsideMarginM ? 'off' : 'hold';
  const event = env.conditions.step(
    key,
    { category: 'stray', unitId: owner.gridId },
    o.t,
    level,
    { onAfterMs: s.strayDebounceMs, offAfterMs: s.strayClearMs },
    o.fresh,
  );
  return effectsOf(
    event,
    key,
    o.t,
    () => ({
      ...base(owner, deviceId, o),
      category: 'stray',
      severity: 'medium',
      key,
      summary: texts.stray(owner.name, o.subjectId, d),
      details: {
        subject: o.subjectId,
        outsideM: Math.round(d),
        inPastureOf: env.subjects.pastures
          .containing(o.lon, o.lat)
          .map((a) => a.data)
          .filter((p) => p.householdId !== owner.householdId),
      },
    }),
    'back inside the pasture',
  );
}

function border(env: RuleEnv, deviceId: string, owner: HouseholdOwner, o: Observation): Effect[] {
  const lines = env.zones.borders;
  if (lines.length === 0) return [];
  const s = env.settings;
  let dist = Number.POSITIVE_INFINITY;
  let far = false;
  for (const line of lines) {
    dist = Math.min(dist, line.distanceWithinM(o.lon, o.lat, env.boxes.border));
    far ||= line.isFarSide(o.lon, o.lat);
  }
  const approachKey = `border-approach:${owner.householdId}:${o.subjectId}`;
  const crossKey = `border-crossing:${owner.householdId}:${o.subjectId}`;
  const approach: Level =
    far || dist <= s.borderBufferM ? 'on' : dist > s.borderBufferM + s.borderHysteresisM ? 'off' : 'hold';
  const crossing: Level = dist <= s.crossingMarginM ? 'hold' : far ? 'on' : 'off';
  const info = { unitId: owner.gridId };
  const alsoNotify = owner.sumuId ? [owner.sumuId] : [];
  const details = {
    subject: o.subjectId,
    distanceM: Number.isFinite(dist) ? Math.round(dist) : null,
    farSide: far,
  };
  return [
    ...effectsOf(
      env.conditions.step(
        crossKey,
        { category: 'border-crossing', ...info },
        o.t,
        crossing,
        { onAfterMs: s.crossingDebounceMs, offAfterMs: s.crossingClearMs },
        o.fresh,
      ),
      crossKey,
      o.t,
      () => ({
        ...base(owner, deviceId, o),
        category: 'border-crossing',
        severity: 'high',
        alsoNotify,
        key: crossKey,
        summary: texts.borderCrossing(owner.name, o.subjectId),
        details,
      }),
      'back on this side of the border',
    ),
    ...effectsOf(
      env.conditions.step(
        approachKey,
        { category: 'border-approach', ...info },
        o.t,
        approach,
        { onAfterMs: s.borderDebounceMs, offAfterMs: s.borderClearMs },
        o.fresh,
      ),
      approachKey,
      o.t,
      () => ({
        ...base(owner, deviceId, o),
        category: 'border-approach',
        severity: 'medium',
        alsoNotify,
        key: approachKey,
        summary: texts.borderApproach(owner.name, o.subjectId, Number.isFinite(dist) ? dist : 0),
        details: { ...details, bufferM: s.borderBufferM },
      }),
      'left the border buffer zone',
    ),
  ];
}

function bans(env: RuleEnv, deviceId: string, owner: HouseholdOwner, o: Observation): Effect[] {
  const key = `grazing-ban:${owner.householdId}:${o.subjectId}`;
  const s = env.settings;
  const inForce = env.zones.bans
    .near(env.boxes.ban.around(o.lon, o.lat))
    .filter((a) => activeAt(a.data.properties.periods, o.t, s.timeZoneOffsetMin));
  if (inForce.length === 0 && !env.conditions.get(key)) return [];
  const d = signedDistanceToUnionM(inForce, o.lon, o.lat);
  const level: Level = d < -s.banMarginM ? 'on' : d > s.banMarginM ? 'off' : 'hold';
  const event = env.conditions.step(
    key,
    { category: 'grazing-ban', unitId: owner.gridId },
    o.t,
    level,
    { onAfterMs: s.banDebounceMs, offAfterMs: s.banClearMs },
    o.fresh,
  );
  return effectsOf(
    event,
    key,
    o.t,
    () => {
      const zone = inForce.find((a) => a.contains(o.lon, o.lat))?.data ?? inForce[0]!.data;
      const p = zone.properties;
      return {
        ...base(owner, deviceId, o),
        category: 'grazing-ban',
        severity: 'low',
        key,
        summary: texts.grazingBan(owner.name, o.subjectId, p.name, p.ban),
        details: { subject: o.subjectId, zoneId: p.id, ban: p.ban, periods: p.periods },
      };
    },
    'out of the closed area, or the closed season is over',
  );
}
