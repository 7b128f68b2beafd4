import type { Fix, Grazing, Heartbeat } from '@steppelink/protocols';
import type { Clock } from '../clock.ts';
import type { Registry } from '../registry/registry.ts';
import type { Db } from '../state/db.ts';
import { type RulesConfig, resolveSettings, rulesConfigSchema } from './config.ts';
import { Conditions } from './conditions.ts';
import { Coverage } from './coverage.ts';
import type { RulesSettings } from './defaults.ts';
import { compileZones, type Effect, makeBoxes, type RuleEnv } from './env.ts';
import { PatrolGaps } from './gaps.ts';
import { DeviceHealth } from './health.ts';
import { evaluateLivestock } from './livestock.ts';
import { Patrol } from './patrol.ts';
import { SubjectOrder } from './order.ts';
import { RulesStore } from './store.ts';
import { type DeviceContext, Subjects } from './subjects.ts';
import { type Zone, zoneFeatureSchema } from './zones.ts';

export interface RulesEngineOptions {
  db: Db;
  registry: Registry;
  clock: Clock;
  /** Config layered over the defaults; a config saved through the API layers over this. */
  config?: RulesConfig;
  /** Zones to start with when the rules tables hold none yet (first start). Already validated. */
  zones?: readonly Zone[];
}

export interface RulesCounters {
  positions: number;
  late: number;
  future: number;
  unknownDevice: number;
}

/**
 * The rules engine: evaluates positions, collar readings, heartbeats and presence against the
 * zones and the registry, synchronously, and returns what the incident engine must be told
 * (`Effect[]`) — the module delivers those to the IncidentSink. Per subject, fixes are taken in
 * source-time order: a fix older than the newest one already evaluated is late and only counts
 * for patrol coverage; a fix stamped in the future is ignored.
 */
export class RulesEngine {
  readonly store: RulesStore;
  readonly conditions: Conditions;
  readonly subjects: Subjects;
  readonly coverage: Coverage;
  readonly patrol: Patrol;
  readonly health: DeviceHealth;
  private readonly gaps: PatrolGaps;
  private readonly order: SubjectOrder;
  private readonly base: RulesConfig | undefined;
  env: RuleEnv;
  readonly counters: RulesCounters = { positions: 0, late: 0, future: 0, unknownDevice: 0 };

  constructor(private readonly opts: RulesEngineOptions) {
    this.store = new RulesStore(opts.db);
    this.order = new SubjectOrder(this.counters);
    this.base = opts.config;
    const settings = this.settingsFrom(this.storedConfig());
    this.conditions = new Conditions(this.store, settings.maxOpenConditions);
    this.subjects = new Subjects(opts.registry, settings.maxSubjects);
    this.coverage = new Coverage(this.store);
    this.patrol = new Patrol(this.coverage);
    this.gaps = new PatrolGaps(this.coverage);
    this.health = new DeviceHealth(this.store, opts.clock.now(), (id) =>
      this.patrol.isOnPatrol(id, this.env),
    );
    let zones = this.storedZones();
    if (zones.length === 0 && opts.zones?.length) {
      this.store.replaceZones(opts.zones, opts.clock.now(), null);
      zones = [...opts.zones];
    }
    this.env = this.compile(settings, zones);
    this.health.restore(this.env);
  }

  get settings(): RulesSettings {
    return this.env.settings;
  }

  /** Rebuilds zones, the pasture index and coverage segments (after registry or zone changes). */
  reload(): void {
    this.env = this.compile(this.settingsFrom(this.storedConfig()), this.storedZones());
  }

  zones(): Zone[] {
    return this.env.zones.all;
  }

  /** Stores zones (upsert by id, or replace all) and recompiles; returns clears for patrol-gap alerts of lines gone. */
  saveZones(zones: readonly Zone[], mode: 'upsert' | 'replace', by: string | null): Effect[] {
    const at = this.opts.clock.now();
    if (mode === 'replace') this.store.replaceZones(zones, at, by);
    else
      this.store.transaction(() => {
        for (const z of zones) this.store.putZone(z, at, by);
      });
    return this.afterZoneChange();
  }

  deleteZone(id: string): { deleted: boolean; effects: Effect[] } {
    const deleted = this.store.deleteZone(id);
    return { deleted, effects: deleted ? this.afterZoneChange() : [] };
  }

  /** Saves a validated config (see `parseRulesConfig`) over the defaults and the start options. */
  saveConfig(config: RulesConfig, by: string | null): void {
    this.store.putConfig(config, this.opts.clock.now(), by);
    this.reload();
  }

  savedConfig(): RulesConfig {
    return this.storedConfig() ?? {};
  }

  private afterZoneChange(): Effect[] {
    this.reload();
    const now = this.opts.clock.now();
    const live = new Set(this.coverage.groups().map((g) => `patrol-gap:${g.zoneId}:${g.unitId}`));
    return this.conditions
      .active()
      .filter((c) => c.category === 'patrol-gap' && !live.has(c.key))
      .filter((c) => this.conditions.end(c.key))
      .map(
        (c) =>
          ({ type: 'clear', key: c.key, at: now, note: 'the border line was removed or redrawn' }) as const,
      );
  }

  private settingsFrom(saved: RulesConfig | undefined): RulesSettings {
    return resolveSettings(this.base, saved);
  }
  private storedConfig(): RulesConfig | undefined {
    const parsed = rulesConfigSchema.safeParse(this.store.config());
    return parsed.success ? parsed.data : undefined;
  }
  private storedZones(): Zone[] {
    return this.store.zones().flatMap((z) => {
      const parsed = zoneFeatureSchema.safeParse(z);
      return parsed.success ? [parsed.data] : [];
    });
  }
  private compile(settings: RulesSettings, zones: Zone[]): RuleEnv {
    const compiled = compileZones(zones, settings);
    this.subjects.reload(compiled.fences);
    this.coverage.load(compiled.borders, settings.segmentLengthM, this.opts.clock.now());
    return {
      settings,
      conditions: this.conditions,
      subjects: this.subjects,
      zones: compiled,
      boxes: makeBoxes(settings),
    };
  }

  positions(
    deviceId: string,
    subject: string | undefined,
    fixes: readonly Fix[],
    receivedAt: number,
  ): Effect[] {
    const ctx = this.subjects.device(deviceId);
    if (!ctx) {
      this.counters.unknownDevice++;
      return [];
    }
    const heard = this.health.heard(this.env, deviceId, receivedAt);
    // A set-top box stands in the household's ger: its position says nothing about the herd.
    return ctx.kind === 'settop' ? heard : [...heard, ...this.track(ctx, subject ?? deviceId, fixes)];
  }

  grazing(deviceId: string, msg: Grazing, receivedAt: number): Effect[] {
    const ctx = this.subjects.device(deviceId);
    if (!ctx) {
      this.counters.unknownDevice++;
      return [];
    }
    const effects = this.health.heard(this.env, deviceId, receivedAt);
    const byCollar = new Map<string, Fix[]>();
    for (const r of msg.readings) {
      if (r.type !== 'collar') continue;
      effects.push(...this.health.collarBattery(this.env, ctx, r.collarId, r.battery, r.t));
      if (r.pos)
        byCollar.set(r.collarId, [
          ...(byCollar.get(r.collarId) ?? []),
          { t: r.t, lat: r.pos.lat, lon: r.pos.lon },
        ]);
    }
    for (const [collarId, fixes] of byCollar) effects.push(...this.track(ctx, collarId, fixes));
    return effects;
  }

  heartbeat(deviceId: string, hb: Heartbeat, receivedAt: number): Effect[] {
    const ctx = this.subjects.device(deviceId);
    return ctx ? this.health.heartbeat(this.env, ctx, hb, receivedAt) : [];
  }

  presence(deviceId: string, online: boolean, at: number): Effect[] {
    return online && this.subjects.device(deviceId) ? this.health.heard(this.env, deviceId, at) : [];
  }

  /** Evaluates one subject's fixes in source-time order. */
  private track(ctx: DeviceContext, subjectId: string, fixes: readonly Fix[]): Effect[] {
    const owner = ctx.owner;
    const key = owner.type === 'household' ? `${owner.householdId}\n${subjectId}` : ctx.deviceId;
    const effects: Effect[] = [];
    for (const { o, inOrder } of this.order.take(
      key,
      subjectId,
      fixes,
      this.opts.clock.now(),
      this.env.settings,
    )) {
      if (owner.type === 'team')
        effects.push(...this.patrol.evaluate(this.env, ctx.deviceId, owner, o, inOrder));
      else if (inOrder) effects.push(...evaluateLivestock(this.env, ctx.deviceId, owner, o));
    }
    return effects;
  }

  /** Periodic checks (offline, on-battery, patrol gaps), pruning and persistence. */
  tick(): Effect[] {
    const now = this.opts.clock.now();
    const effects = [...this.health.tick(this.env, now), ...this.gaps.tick(this.env, now)];
    const idleBefore = now - this.env.settings.subjectIdleMs;
    this.conditions.prune(idleBefore);
    this.order.prune(idleBefore);
    this.patrol.forget(idleBefore);
    this.health.prune(idleBefore);
    this.flush();
    return effects;
  }

  flush(): void {
    this.conditions.flush();
    this.coverage.flush();
    this.health.flush(this.opts.clock.now());
  }

  /** Policy for a border segment's unit (for the coverage API). */
  patrolGapMaxMs(unitId: string): number {
    return this.gaps.policyMs(this.env, unitId);
  }

  get subjectsTracked(): number {
    return this.order.size;
  }
}
