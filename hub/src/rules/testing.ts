import type { Fix, Heartbeat, MessageOf } from '@steppelink/protocols';
import { Registry as MetricsRegistry } from 'prom-client';
import type { Clock } from '../clock.ts';
import { ManualClock as FakeClock } from '../testing/manual-clock.ts';
import type { Accepted, HubContext } from '../context.ts';
import { HubEvents } from '../events.ts';
import type { AlertInput, IncidentSink } from '../incidents/port.ts';
import { silentLogger } from '../log.ts';
import { SMALL_LEAGUE } from '../registry/fixture.ts';
import type { RegistryDocument } from '../registry/schema.ts';
import type { Registry } from '../registry/registry.ts';
import { openSqliteRegistry } from '../registry/sqlite-store.ts';
import { type Db, openDatabase } from '../state/db.ts';
import type { RulesConfig } from './config.ts';
import { demoZones } from './data/index.ts';
import { RulesEngine } from './engine.ts';
import type { Effect } from './env.ts';
import { parseZones, type Zone } from './zones.ts';

/** Test support for the rules: a manual clock, a recording incident sink, a small registry. */

export const MIN = 60_000;
/** 10 July 2025, 10:00 in Inner Mongolia (UTC+8): summer, no ban season on. */
export const T0 = Date.UTC(2025, 6, 10, 2, 0);

/** The hub's manual test clock (one implementation: testing/manual-clock.ts). */
export { FakeClock };

/** An IncidentSink that records everything and keeps one open alert per key, like the incident engine. */
export class RecordingSink implements IncidentSink {
  readonly raised: AlertInput[] = [];
  readonly cleared: { key: string; at: number; note?: string }[] = [];
  readonly open = new Map<string, AlertInput>();
  async raise(input: AlertInput) {
    const created = !this.open.has(input.key);
    this.open.set(input.key, input);
    this.raised.push(input);
    return { incidentId: `inc-${this.raised.length}`, created };
  }
  async clear(key: string, at: number, note?: string) {
    this.open.delete(key);
    this.cleared.push({ key, at, ...(note ? { note } : {}) });
  }
  of(category: string): AlertInput[] {
    return this.raised.filter((a) => a.category === category);
  }
  clearsOf(prefix: string): { key: string; at: number }[] {
    return this.cleared.filter((c) => c.key.startsWith(prefix)).map(({ key, at }) => ({ key, at }));
  }
}

/** SMALL_LEAGUE without secrets and logins (hashing them would only slow the tests down). */
export function registryDocument(): RegistryDocument {
  return {
    ...SMALL_LEAGUE,
    devices: SMALL_LEAGUE.devices.map(({ secret: _s, ...d }) => d),
    people: SMALL_LEAGUE.people.map(({ login: _l, ...p }) => p),
  };
}

export function testRegistry(doc: RegistryDocument = registryDocument()): {
  db: Db;
  registry: Registry;
} {
  const db = openDatabase(':memory:');
  const registry = openSqliteRegistry(db);
  const result = registry.importDocumentNow(doc);
  if (!result.ok) throw new Error(`fixture does not import: ${JSON.stringify(result.errors)}`);
  return { db, registry };
}

/** A virtual fence of the SMALL_LEAGUE fixture: household hh-150824-104-0007's winter camp east of its pasture. */
export const WINTER_CAMP = {
  type: 'Feature',
  properties: {
    id: 'qiqige-winter-camp',
    kind: 'fence',
    householdId: 'hh-150824-104-0007',
    unitId: '150824-104-007-03',
    name: { zh: '其其格家冬营盘', en: 'Qiqige family winter camp' },
  },
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [108.47, 42.105],
        [108.485, 42.105],
        [108.485, 42.115],
        [108.47, 42.115],
        [108.47, 42.105],
      ],
    ],
  },
};

let demoCache: Zone[] | undefined;
/** The demo zones plus the fixture's winter camp, parsed once per test file (parsed zones are never mutated). */
export function demo(): Zone[] {
  if (!demoCache) {
    const parsed = parseZones([...demoZones().features, WINTER_CAMP]);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    demoCache = parsed.zones;
  }
  return demoCache;
}

/** An engine over the small league and the demo zones, with effects delivered to a recording sink. */
export function testEngine(
  opts: { config?: RulesConfig; zones?: Zone[]; t0?: number; db?: Db; registry?: Registry } = {},
) {
  const { db, registry } =
    opts.db && opts.registry ? { db: opts.db, registry: opts.registry } : testRegistry();
  const clock = new FakeClock(opts.t0 ?? T0);
  const engine = new RulesEngine({ db, registry, clock, config: opts.config, zones: opts.zones ?? demo() });
  const sink = new RecordingSink();
  const deliver = (effects: Effect[]) => {
    for (const e of effects) {
      if (e.type === 'raise') void sink.raise(e.alert);
      else void sink.clear(e.key, e.at, e.note);
    }
  };
  /** Sends fixes one by one as they happen (the clock follows them). */
  const stream = (deviceId: string, subject: string | undefined, fixes: readonly Fix[]) => {
    for (const f of fixes) {
      if (f.t > clock.now()) clock.set(f.t);
      deliver(engine.positions(deviceId, subject, [f], clock.now()));
    }
  };
  return { db, registry, clock, engine, sink, deliver, stream };
}

/** Fixes every `stepMs` from `t` at the given positions ([lon, lat], GeoJSON order). */
export function track(t: number, stepMs: number, points: readonly [number, number][]): Fix[] {
  return points.map(([lon, lat], i) => ({ t: t + i * stepMs, lat, lon }));
}

/** `n` copies of a position. */
export const times = (n: number, p: [number, number]): [number, number][] =>
  Array.from({ length: n }, () => p);

/** A HubContext for starting the rules module alone (no broker, telemetry or publisher needed). */
export function testContext(opts: {
  clock: Clock;
  db?: Db;
  registry?: Registry;
  publisher?: HubContext['publisher'];
}): HubContext {
  const { db, registry } =
    opts.db && opts.registry ? { db: opts.db, registry: opts.registry } : testRegistry();
  const unused = new Proxy(
    {},
    {
      get: () => () => {
        throw new Error('not available in rules tests');
      },
    },
  );
  return {
    db,
    registry,
    telemetry: unused as HubContext['telemetry'],
    publisher: opts.publisher ?? (unused as HubContext['publisher']),
    events: new HubEvents(),
    clock: opts.clock,
    log: silentLogger(),
    metrics: new MetricsRegistry(),
    dataDir: '/nonexistent',
  };
}

let msgSeq = 0;
export function heartbeat(ts: number, power: Heartbeat['power'], battery?: number): Heartbeat {
  msgSeq++;
  return {
    v: 1,
    id: `hb-${msgSeq}`,
    ts,
    agent: '0.1.0',
    uptimeS: 3600,
    power,
    outbox: 0,
    ...(battery === undefined ? {} : { battery }),
  };
}
export function accepted<K extends 'hb' | 'pos' | 'grazing'>(
  kind: K,
  deviceId: string,
  msg: MessageOf<K>,
  receivedAt: number,
): Accepted<K> {
  return { seq: ++msgSeq, deviceId, kind, msg, receivedAt };
}
/** Lets queued alert deliveries run. */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
