import type { PowerSource } from '@steppelink/protocols';
import type { Effect, RuleEnv } from './env.ts';
import type { DeviceContext } from './subjects.ts';
import { localized, texts } from './texts.ts';

interface OnBattery {
  since: number;
  ctx: DeviceContext;
}

/**
 * Mains loss at household set-top boxes. One box on battery is not a welfare emergency: it
 * raises a low on-battery alert only after `onBatteryAlertAfterMs`. Several boxes of one gacha
 * switching to battery within `powerCutWindowMs` (at least `powerCutMinBoxes` and
 * `powerCutMinShare` of the gacha's boxes) is a village power cut: one power-cut alert to the
 * gacha instead of one per box; it clears when fewer than `powerCutClearBelowBoxes` remain on
 * battery. Times are the boxes' source times.
 */
export class Power {
  /** gacha (or '' when the household has none) → boxes on battery. */
  private readonly byGacha = new Map<string, Map<string, OnBattery>>();
  private readonly lastCount = new Map<string, number>();

  restore(ctx: DeviceContext, since: number): void {
    this.members(gachaOf(ctx)).set(ctx.deviceId, { since, ctx });
  }

  observe(env: RuleEnv, ctx: DeviceContext, power: PowerSource, t: number): Effect[] {
    const gacha = gachaOf(ctx);
    const members = this.members(gacha);
    const was = members.get(ctx.deviceId);
    if (power === 'battery') {
      if (was) return [];
      members.set(ctx.deviceId, { since: t, ctx });
      return gacha ? this.evaluateCut(env, gacha, t) : [];
    }
    if (!was) return [];
    members.delete(ctx.deviceId);
    const effects: Effect[] = [];
    const key = `on-battery:${ctx.deviceId}`;
    if (env.conditions.end(key)) {
      effects.push({ type: 'clear', key, at: t, note: 'mains power is back' });
    }
    if (gacha) effects.push(...this.evaluateCut(env, gacha, t));
    return effects;
  }

  private evaluateCut(env: RuleEnv, gacha: string, t: number): Effect[] {
    const s = env.settings;
    const key = `power-cut:${gacha}`;
    const members = this.members(gacha);
    const info = { category: 'power-cut', unitId: gacha };
    if (env.conditions.isActive(key)) {
      if (members.size < s.powerCutClearBelowBoxes) {
        this.lastCount.delete(gacha);
        env.conditions.end(key);
        return [{ type: 'clear', key, at: t, note: 'mains power is back at most boxes' }];
      }
      const prev = this.lastCount.get(gacha);
      if (prev !== undefined && members.size < 2 * prev) return [];
      if (prev === undefined) {
        this.lastCount.set(gacha, members.size); // open since before a restart
        return [];
      }
    } else {
      let together = 0;
      for (const m of members.values()) if (m.since >= t - s.powerCutWindowMs && m.since <= t) together++;
      const total = env.subjects.settopCount(gacha);
      if (together < s.powerCutMinBoxes || together < s.powerCutMinShare * total) return [];
    }
    this.lastCount.set(gacha, members.size);
    env.conditions.set(key, info, true, true, t);
    const name = env.subjects.unitName(gacha) ?? { zh: gacha, mn: gacha, en: gacha };
    return [
      {
        type: 'raise',
        alert: {
          source: 'rule',
          category: 'power-cut',
          severity: 'medium',
          unitId: gacha,
          key,
          at: t,
          summary: localized(name, (n) => texts.powerCut(n, members.size)),
          details: { devices: [...members.keys()].sort(), settopsInGacha: env.subjects.settopCount(gacha) },
        },
      },
    ];
  }

  /** Single boxes on battery for long, outside any open power cut of their gacha. */
  tick(env: RuleEnv, now: number): Effect[] {
    const effects: Effect[] = [];
    for (const [gacha, members] of this.byGacha) {
      if (gacha && env.conditions.isActive(`power-cut:${gacha}`)) continue;
      for (const [id, m] of members) {
        const key = `on-battery:${id}`;
        if (now - m.since < env.settings.onBatteryAlertAfterMs || env.conditions.isActive(key)) continue;
        const unitId = unitOf(m.ctx);
        env.conditions.set(key, { category: 'on-battery', unitId }, true, true, now);
        const minutes = Math.round((now - m.since) / 60_000);
        effects.push({
          type: 'raise',
          alert: {
            source: 'rule',
            category: 'on-battery',
            severity: 'low',
            unitId,
            key,
            deviceId: id,
            at: now,
            summary: texts.onBattery(m.ctx.owner.name, id, minutes),
            details: { since: m.since },
            ...(m.ctx.owner.type === 'household' ? { householdId: m.ctx.owner.householdId } : {}),
          },
        });
      }
    }
    return effects;
  }

  private members(gacha: string): Map<string, OnBattery> {
    let m = this.byGacha.get(gacha);
    if (!m) {
      m = new Map();
      this.byGacha.set(gacha, m);
    }
    return m;
  }
}

const gachaOf = (ctx: DeviceContext): string =>
  ctx.owner.type === 'household' ? (ctx.owner.gachaId ?? '') : '';
const unitOf = (ctx: DeviceContext): string =>
  ctx.owner.type === 'household' ? ctx.owner.gridId : ctx.owner.unitId;
