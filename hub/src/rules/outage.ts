import type { Effect, RuleEnv } from './env.ts';
import type { DeviceContext } from './subjects.ts';
import { localized, texts } from './texts.ts';

/** A device past its offline threshold and not yet reported. */
export interface Silent {
  id: string;
  ctx: DeviceContext;
  lastHeardAt: number;
  silentMs: number;
}

export interface OutageHooks {
  /** Marks a device as counted in a gacha-wide alert (or as judged on its own again). */
  mark(deviceId: string, flag: 'grouped' | null): void;
  /** Raises the device's own offline alert. */
  individual(env: RuleEnv, x: Silent, now: number): Effect[];
}

/**
 * Set-top boxes of one gacha going silent together (last heard within `powerCutWindowMs`, at
 * least `powerCutMinBoxes` and `powerCutMinShare` of the gacha's boxes): a power or network
 * outage, reported as one gacha-offline alert to the gacha instead of one per box. It clears when
 * fewer than `powerCutClearBelowBoxes` of its boxes are still silent; those left are then judged
 * on their own.
 */
export class Outages {
  private readonly groups = new Map<string, Set<string>>();

  constructor(private readonly hooks: OutageHooks) {}

  /**
   * Boxes of one gacha gone silent: together (last heard within the power-cut window) → one
   * alert; else one each, but only once silent for the power-cut window longer than the
   * threshold, so that boxes which went quiet a few minutes after the first can still join it.
   */
  group(env: RuleEnv, gacha: string, list: Silent[], now: number): Effect[] {
    const s = env.settings;
    const key = `gacha-offline:${gacha}`;
    const group = this.groups.get(gacha) ?? new Set<string>();
    const sorted = [...list].sort((a, b) => a.lastHeardAt - b.lastHeardAt);
    let best: typeof sorted = [];
    for (let i = 0, j = 0; j < sorted.length; j++) {
      while (sorted[j]!.lastHeardAt - sorted[i]!.lastHeardAt > s.powerCutWindowMs) i++;
      if (j - i + 1 > best.length) best = sorted.slice(i, j + 1);
    }
    const joinAll = env.conditions.isActive(key);
    const together = joinAll ? sorted : best;
    const total = env.subjects.settopCount(gacha);
    const enough =
      joinAll || (together.length >= s.powerCutMinBoxes && together.length >= s.powerCutMinShare * total);
    const effects: Effect[] = [];
    for (const x of sorted) {
      if (enough && together.includes(x)) {
        group.add(x.id);
        this.hooks.mark(x.id, 'grouped');
      } else if (x.silentMs > s.offlineAfterMs.settop + s.powerCutWindowMs) {
        effects.push(...this.hooks.individual(env, x, now));
      }
    }
    if (!enough) return effects;
    this.groups.set(gacha, group);
    env.conditions.set(key, { category: 'gacha-offline', unitId: gacha }, true, true, now);
    const name = env.subjects.unitName(gacha) ?? { zh: gacha, mn: gacha, en: gacha };
    effects.push({
      type: 'raise',
      alert: {
        source: 'rule',
        category: 'gacha-offline',
        severity: 'medium',
        unitId: gacha,
        key,
        at: now,
        summary: localized(name, (n) => texts.gachaOffline(n, group.size)),
        details: { devices: [...group].sort(), settopsInGacha: total },
      },
    });
    return effects;
  }

  /** A device of a group was heard again. */
  leave(env: RuleEnv, deviceId: string, at: number): Effect[] {
    for (const [gacha, group] of this.groups) {
      if (!group.delete(deviceId) || group.size >= env.settings.powerCutClearBelowBoxes) continue;
      for (const id of group) this.hooks.mark(id, null); // still silent: judged on its own at the next tick
      this.groups.delete(gacha);
      const key = `gacha-offline:${gacha}`;
      env.conditions.end(key);
      return [{ type: 'clear', key, at, note: 'the boxes are back online' }];
    }
    return [];
  }

  /** A gacha-offline alert open from before a restart whose boxes all spoke up since: clear it. */
  stale(env: RuleEnv, now: number, startedAt: number): Effect[] {
    if (now - startedAt <= env.settings.offlineAfterMs.settop) return [];
    return env.conditions
      .active()
      .filter((c) => c.category === 'gacha-offline' && !this.groups.has(c.key.slice('gacha-offline:'.length)))
      .map((c) => {
        env.conditions.end(c.key);
        return { type: 'clear', key: c.key, at: now, note: 'the boxes are back online' } as const;
      });
  }
}
