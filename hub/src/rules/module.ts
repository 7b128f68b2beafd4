import { expandFixes } from '@steppelink/protocols';
import type { Clock } from '../clock.ts';
import type { ComponentHealth, HubContext, HubModule } from '../context.ts';
import type { IncidentSink } from '../incidents/port.ts';
import type { Logger } from '../log.ts';
import type { Registry } from '../registry/registry.ts';
import { type ConfigIssue, parseRulesConfig, type RulesConfig } from './config.ts';
import { RulesEngine } from './engine.ts';
import type { Effect } from './env.ts';
import { rulesRoutes } from './routes.ts';
import { checkZoneRefs, isPlace, type PlaceZone, parseZones, type Zone } from './zones.ts';

export interface RulesModuleOptions {
  /** Where alerts go: the incident engine (or a recording sink in tests). */
  sink: IncidentSink;
  /**
   * Zones (GeoJSON FeatureCollection, see `zones.ts`) to start with when the rules tables hold
   * none yet, e.g. `demoZones()`. After that the stored zones (edited through the API) rule.
   */
  zones?: unknown;
  /** Rules config (JSON, any subset of RULES_DEFAULTS); a config saved through the API wins over it. */
  config?: unknown;
  /** Defaults to the hub's clock. */
  clock?: Clock;
  /** Run the periodic tick (offline, on-battery, patrol-gap, flush) on the clock. Default true. */
  tick?: boolean;
}

export type RulesModule = Omit<HubModule, 'routes'> & {
  routes: ReturnType<typeof rulesRoutes>;
  /** The engine, once started. */
  readonly engine: RulesEngine;
  /** Runs one tick now and delivers its alerts (tests, and the periodic timer). */
  tickNow(): Promise<void>;
  /** The water points and roads among the current zones (none before start): the rescue handover's nearest ones. */
  places(): PlaceZone[];
};

const fail = (what: string, issues: ConfigIssue[]): Error =>
  new Error(`${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);

/**
 * The rules module: virtual fences and pastures, border buffer and crossing, grazing bans,
 * patrol coverage and man-down, device health. Consumes accepted pos/grazing/hb messages and
 * device presence, raises and clears alerts through the IncidentSink, serves /api/rules/*.
 * Misconfiguration (zones or config that do not validate) throws at creation or start with
 * every issue listed.
 */
export function createRulesModule(options: RulesModuleOptions): RulesModule {
  let config: RulesConfig | undefined;
  if (options.config !== undefined) {
    const parsed = parseRulesConfig(options.config);
    if (!parsed.ok) throw fail('createRulesModule: the rules config is invalid', parsed.issues);
    config = parsed.config;
  }
  let zones: Zone[] | undefined;
  if (options.zones !== undefined) {
    const parsed = parseZones(options.zones);
    if (!parsed.ok) throw fail('createRulesModule: the zones are invalid', parsed.issues);
    zones = parsed.zones;
  }
  let engine: RulesEngine | undefined;
  let registry: Registry | undefined;
  let log: Logger | undefined;
  let timer: unknown;
  let clock: Clock | undefined;
  let unsubscribe: (() => void) | undefined;
  let queue: Promise<void> = Promise.resolve();
  const stats = { raised: 0, cleared: 0, sinkErrors: 0, lastSinkErrorAt: null as number | null };

  const started = (): RulesEngine => {
    if (!engine) throw new Error('the rules module is not started: call start(ctx) first (createHub does)');
    return engine;
  };

  async function deliver(effects: Effect[]): Promise<void> {
    for (const e of effects) {
      try {
        if (e.type === 'raise') {
          await options.sink.raise(e.alert);
          stats.raised++;
        } else {
          await options.sink.clear(e.key, e.at, e.note);
          stats.cleared++;
        }
      } catch (err) {
        stats.sinkErrors++;
        stats.lastSinkErrorAt = clock?.now() ?? null;
        if (e.type === 'raise') engine?.conditions.unraise(e.alert.key); // raised again at the next observation
        log?.error({ err, key: e.type === 'raise' ? e.alert.key : e.key }, 'rules: incident sink failed');
      }
    }
  }
  /** Effects are delivered in order, across handlers and ticks. */
  const run = (effects: Effect[]): Promise<void> => {
    if (effects.length === 0) return queue;
    queue = queue.then(() => deliver(effects));
    return queue;
  };

  return {
    name: 'rules',
    get engine() {
      return started();
    },
    start(ctx: HubContext) {
      clock = options.clock ?? ctx.clock;
      log = ctx.log;
      registry = ctx.registry;
      if (zones) {
        const issues = checkZoneRefs(zones, ctx.registry, 'features');
        if (issues.length > 0) throw fail('rules: the zones name things the registry does not have', issues);
      }
      engine = new RulesEngine({ db: ctx.db, registry: ctx.registry, clock, config, zones });
      unsubscribe = ctx.events.on(
        'device.presence',
        (p) => void run(started().presence(p.deviceId, p.online, p.at)),
      );
      if (options.tick !== false)
        timer = clock.setInterval(() => void this.tickNow(), engine.settings.tickMs);
    },
    tickNow: () => run(started().tick()),
    places: () => engine?.env.zones.all.filter(isPlace) ?? [],
    handlers: {
      pos: (m) => run(started().positions(m.deviceId, m.msg.subject, expandFixes(m.msg), m.receivedAt)),
      grazing: (m) => run(started().grazing(m.deviceId, m.msg, m.receivedAt)),
      hb: (m) => run(started().heartbeat(m.deviceId, m.msg, m.receivedAt)),
    },
    routes: rulesRoutes({
      engine: started,
      registry: () => registry ?? (started() as never),
      clock: () => clock ?? (started() as never),
      run,
    }),
    health(): ComponentHealth {
      if (!engine) return { state: 'down', reason: 'not started' };
      const recentError =
        stats.lastSinkErrorAt !== null && (clock?.now() ?? 0) - stats.lastSinkErrorAt < 300_000;
      const z = engine.env.zones;
      return {
        state: recentError ? 'degraded' : 'up',
        zones: z.all.length,
        borderSegments: z.borders.reduce((n, b) => n + b.segments.length, 0),
        pastures: engine.subjects.pastures.size,
        subjects: engine.subjectsTracked,
        openConditions: engine.conditions.size,
        droppedConditions: engine.conditions.dropped,
        ...engine.counters,
        ...stats,
      };
    },
    close() {
      if (timer !== undefined) clock?.clearInterval(timer);
      unsubscribe?.();
      engine?.flush();
    },
  };
}
