import type { Coverage, SegmentCoverage } from './coverage.ts';
import type { Effect, RuleEnv } from './env.ts';
import { kmRanges, localized, texts } from './texts.ts';

/**
 * patrol-gap: per border line and responsible unit (a section's township, or the zone's unit),
 * one alert while any of its segments is unpatrolled for longer than its policy
 * (`patrolGapMaxMsByUnit` for the unit or an ancestor such as the banner, else `patrolGapMaxMs`).
 * Re-raised (the incident updates) only when the overdue stretch has doubled, so a slowly
 * growing gap does not page every tick; cleared once patrols covered all of it.
 */
export class PatrolGaps {
  private readonly lastCount = new Map<string, number>();

  constructor(private readonly coverage: Coverage) {}

  policyMs(env: RuleEnv, unitId: string): number {
    for (const id of env.subjects.chain(unitId)) {
      const ms = env.settings.patrolGapMaxMsByUnit[id];
      if (ms !== undefined) return ms;
    }
    return env.settings.patrolGapMaxMs;
  }

  tick(env: RuleEnv, now: number): Effect[] {
    const overdue = new Map<string, SegmentCoverage[]>();
    for (const c of this.coverage.overdue(now, (u) => this.policyMs(env, u))) {
      const k = `patrol-gap:${c.segment.zoneId}:${c.segment.unitId}`;
      overdue.set(k, [...(overdue.get(k) ?? []), c]);
    }
    const effects: Effect[] = [];
    for (const { zoneId, unitId } of this.coverage.groups()) {
      const key = `patrol-gap:${zoneId}:${unitId}`;
      const list = overdue.get(key) ?? [];
      const info = { category: 'patrol-gap', unitId };
      const active = env.conditions.isActive(key);
      const prev = this.lastCount.get(key);
      if (list.length === 0) {
        this.lastCount.delete(key);
        if (env.conditions.end(key)) {
          effects.push({ type: 'clear', key, at: now, note: 'patrols covered the stretch again' });
        }
        continue;
      }
      if (active && prev === undefined) {
        this.lastCount.set(key, list.length); // after a restart: already open, no page
        continue;
      }
      if (active && list.length < 2 * prev!) continue;
      this.lastCount.set(key, list.length);
      env.conditions.set(key, info, true, true, now);
      effects.push({ type: 'raise', alert: this.alert(env, key, zoneId, unitId, list, now) });
    }
    return effects;
  }

  private alert(
    env: RuleEnv,
    key: string,
    zoneId: string,
    unitId: string,
    list: SegmentCoverage[],
    now: number,
  ) {
    const policyMs = this.policyMs(env, unitId);
    const banner = env.subjects.levels(unitId).banner;
    const unit = env.subjects.unitName(unitId) ?? { zh: unitId, mn: unitId, en: unitId };
    const ranges = kmRanges(list.map((c) => c.segment));
    const hours = Math.round(policyMs / 3_600_000);
    const km = Math.round(list.reduce((sum, c) => sum + (c.segment.toKm - c.segment.fromKm), 0));
    return {
      source: 'rule' as const,
      category: 'patrol-gap',
      severity: 'medium' as const,
      unitId,
      alsoNotify: banner && banner !== unitId ? [banner] : [],
      key,
      at: now,
      summary: localized(unit, (name) => texts.patrolGap(name, ranges, km, hours)),
      details: {
        zoneId,
        policyMs,
        overdueSegments: list.length,
        ranges,
        oldestPatrolledAt: list.reduce<number | null>(
          (min, c) =>
            c.lastPatrolledAt === null ? min : Math.min(min ?? c.lastPatrolledAt, c.lastPatrolledAt),
          null,
        ),
      },
    };
  }
}
