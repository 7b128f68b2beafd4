import type { Heartbeat } from '@steppelink/protocols';
import type { Effect, RuleEnv } from './env.ts';
import type { Level } from './latch.ts';
import { Outages, type Silent } from './outage.ts';
import { Power } from './power.ts';
import type { RulesStore } from './store.ts';
import { type DeviceContext, ownerUnit } from './subjects.ts';
import { texts } from './texts.ts';

interface DeviceState {
  lastHeardAt: number;
  power: Heartbeat['power'] | null;
  powerSince: number | null;
  battery: number | null;
  /** 'alerted': its own device-offline alert is open; 'grouped': counted in a gacha-offline alert. */
  offline: 'alerted' | 'grouped' | null;
}

/**
 * Device health: offline after a kind-specific silence (hub clock; checked on each tick; a
 * patrol tracker only while on patrol), low battery with hysteresis (boxes, trackers and each
 * collar), and mains loss (see `power.ts`). Many set-top boxes of one gacha going silent
 * together raise one gacha-offline alert instead of one per box. Silence is measured from the
 * later of the last message and the hub's start, so a hub restart does not page for the time
 * the hub itself was down. Last-heard times are persisted on each flush.
 */
export class DeviceHealth {
  private readonly devices = new Map<string, DeviceState>();
  private readonly dirty = new Set<string>();
  readonly power = new Power();
  private readonly outages: Outages;

  constructor(
    private readonly store: RulesStore,
    private readonly startedAt: number,
    private readonly isOnPatrol: (deviceId: string) => boolean,
  ) {
    this.outages = new Outages({
      mark: (id, flag) => {
        const st = this.devices.get(id);
        if (st) st.offline = flag;
      },
      individual: (env, x, now) => this.offline(env, x.ctx, this.devices.get(x.id)!, now),
    });
  }

  /** Loads last-heard times, power states and open offline alerts kept from before a restart. */
  restore(env: RuleEnv): void {
    for (const d of this.store.devices()) {
      const offline = env.conditions.isActive(`device-offline:${d.deviceId}`) ? 'alerted' : null;
      this.devices.set(d.deviceId, { ...d, offline });
      const ctx =
        d.power === 'battery' && d.powerSince !== null ? env.subjects.device(d.deviceId) : undefined;
      if (ctx?.kind === 'settop') this.power.restore(ctx, d.powerSince!);
    }
  }

  /** Anything heard from the device (a message, a connect) proves it is alive. */
  heard(env: RuleEnv, deviceId: string, at: number): Effect[] {
    let st = this.devices.get(deviceId);
    const effects: Effect[] = [];
    if (!st) {
      st = { lastHeardAt: at, power: null, powerSince: null, battery: null, offline: null };
      this.devices.set(deviceId, st);
      if (env.conditions.isActive(`device-offline:${deviceId}`)) st.offline = 'alerted'; // from before a restart
    }
    if (at > st.lastHeardAt) st.lastHeardAt = at;
    this.dirty.add(deviceId);
    if (st.offline === 'alerted') {
      const key = `device-offline:${deviceId}`;
      env.conditions.end(key);
      effects.push({ type: 'clear', key, at, note: 'heard from the device again' });
    } else if (st.offline === 'grouped') {
      effects.push(...this.outages.leave(env, deviceId, at));
    }
    st.offline = null;
    return effects;
  }

  heartbeat(env: RuleEnv, ctx: DeviceContext, hb: Heartbeat, receivedAt: number): Effect[] {
    const effects = this.heard(env, ctx.deviceId, receivedAt);
    const st = this.devices.get(ctx.deviceId)!;
    if (hb.power !== st.power) {
      st.power = hb.power;
      st.powerSince = hb.ts;
    }
    if (hb.battery !== undefined) {
      st.battery = hb.battery;
      effects.push(...this.battery(env, ctx, `low-battery:${ctx.deviceId}`, ctx.deviceId, hb.battery, hb.ts));
    }
    if (ctx.kind === 'settop') effects.push(...this.power.observe(env, ctx, hb.power, hb.ts));
    return effects;
  }

  /** Battery of one collar, reported through its relay. */
  collarBattery(env: RuleEnv, ctx: DeviceContext, collarId: string, pct: number, t: number): Effect[] {
    return this.battery(env, ctx, `low-battery:${ctx.deviceId}:${collarId}`, collarId, pct, t);
  }

  private battery(
    env: RuleEnv,
    ctx: DeviceContext,
    key: string,
    label: string,
    pct: number,
    t: number,
  ): Effect[] {
    const s = env.settings;
    const level: Level = pct <= s.lowBatteryPct ? 'on' : pct >= s.lowBatteryClearPct ? 'off' : 'hold';
    const unitId = ownerUnit(ctx.owner);
    const event = env.conditions.step(
      key,
      { category: 'low-battery', unitId },
      t,
      level,
      { onAfterMs: 0, offAfterMs: 0 },
      true,
    );
    if (event === 'clear') return [{ type: 'clear', key, at: t, note: 'battery charged' }];
    if (event !== 'raise') return [];
    const alert = {
      source: 'rule' as const,
      category: 'low-battery',
      severity: ctx.kind === 'tracker' ? ('medium' as const) : ('low' as const),
      unitId,
      key,
      deviceId: ctx.deviceId,
      at: t,
      summary: texts.lowBattery(ctx.owner.name, label, pct),
      details: { batteryPct: pct, kind: ctx.kind },
      ...(ctx.owner.type === 'household' ? { householdId: ctx.owner.householdId } : {}),
    };
    return [{ type: 'raise', alert }];
  }

  tick(env: RuleEnv, now: number): Effect[] {
    const effects: Effect[] = [];
    const bySettopGacha = new Map<string, Silent[]>();
    for (const [id, st] of this.devices) {
      if (st.offline !== null) continue;
      const ctx = env.subjects.device(id);
      if (!ctx) continue;
      const silentMs = now - Math.max(st.lastHeardAt, this.startedAt);
      if (silentMs <= env.settings.offlineAfterMs[ctx.kind]) continue;
      if (ctx.kind === 'tracker' && !this.isOnPatrol(id)) continue; // switched off after a patrol
      const gacha = ctx.owner.type === 'household' && ctx.kind === 'settop' ? ctx.owner.gachaId : undefined;
      if (!gacha) {
        effects.push(...this.offline(env, ctx, st, now));
        continue;
      }
      const list = bySettopGacha.get(gacha) ?? [];
      list.push({ id, ctx, lastHeardAt: st.lastHeardAt, silentMs });
      bySettopGacha.set(gacha, list);
    }
    for (const [gacha, list] of bySettopGacha) effects.push(...this.outages.group(env, gacha, list, now));
    effects.push(...this.outages.stale(env, now, this.startedAt), ...this.power.tick(env, now));
    return effects;
  }

  private offline(env: RuleEnv, ctx: DeviceContext, st: DeviceState, now: number): Effect[] {
    const key = `device-offline:${ctx.deviceId}`;
    const unitId = ownerUnit(ctx.owner);
    st.offline = 'alerted';
    env.conditions.set(key, { category: 'device-offline', unitId }, true, true, now);
    const minutes = Math.round((now - st.lastHeardAt) / 60_000);
    const onPatrol = ctx.kind === 'tracker';
    const alert = {
      source: 'rule' as const,
      category: 'device-offline',
      severity: onPatrol ? ('high' as const) : ('low' as const),
      unitId,
      key,
      deviceId: ctx.deviceId,
      at: now,
      summary: texts.offline(ctx.owner.name, ctx.deviceId, minutes),
      details: { kind: ctx.kind, lastHeardAt: st.lastHeardAt, onPatrol },
      ...(ctx.owner.type === 'household' ? { householdId: ctx.owner.householdId } : {}),
      ...(onPatrol && ctx.owner.type === 'team' && ctx.owner.bannerId
        ? { alsoNotify: [ctx.owner.bannerId] }
        : {}),
    };
    return [{ type: 'raise', alert }];
  }

  prune(before: number): void {
    for (const [id, st] of this.devices)
      if (st.lastHeardAt < before && st.offline === null) this.devices.delete(id);
  }

  flush(now: number): void {
    if (this.dirty.size === 0) return;
    this.store.transaction(() => {
      for (const id of this.dirty) {
        const st = this.devices.get(id);
        if (st) this.store.putDevice({ deviceId: id, ...st }, now);
      }
    });
    this.dirty.clear();
  }
}
