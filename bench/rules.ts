/**
 * bench/rules: what the rules cost per position with a league's worth of geometry — 10k household
 * pastures (the simulator's irregular 8-vertex pastures across both Urad banners) and the 369 km
 * demo border — and the position rate the rules module sustains.
 *
 * - build: indexing 10k pastures and the border (segments, far-side grid) at start.
 * - eval per position: one fix per call into the engine, a herd mix (most grazing inside their
 *   pasture, some strayed, a few near the border, so alerts are raised along the way).
 * - near the border / patrol: the dearest cases (border distance, crossing side; coverage).
 * - rules: sustained positions/s through the module's pos handler (10-fix relay batches, alerts
 *   delivered to a sink, the periodic tick running on the clock as source time advances).
 *
 * Times are CPU time of the process (see `now`), so a busy machine does not distort them.
 * `node --import tsx bench/rules.ts` prints the table; `npm run bench -- --only rules` too.
 */
import { Registry as MetricsRegistry } from 'prom-client';
import {
  HubEvents,
  type AlertInput,
  silentLogger,
  openSqliteRegistry,
  type Registry,
  demoZones,
  RulesEngine,
  createRulesModule,
  parseZones,
  openDatabase,
} from '@steppelink/hub';
import { FakeClock } from '@steppelink/hub/rules/testing';
import { generateLeague, type SimDevice, createRng } from '@steppelink/hub/sim';
import { type BenchResult, formatTable, isMain } from './lib/result.ts';

export const rulesBenchDefaults = {
  households: 10_000, // pastures in the index (every household has one, and a collar relay)
  evalPositions: 200_000, // single-fix calls for the per-position cost
  edgePositions: 20_000, // near-border herd fixes and patrol fixes, each
  sustainMs: 8_000, // how long the module is driven for the sustained rate
  batchFixes: 10, // fixes per relay message (relays batch their uplinks)
  strayShare: 0.07, // herds outside their pasture
  borderShare: 0.03, // herds grazing within the border buffer
  targetRate: 20_000, // positions/s the rules must keep up with on one core
};

const T0 = Date.UTC(2025, 6, 10, 2, 0);
const MIN = 60_000;
/**
 * CPU time of this process in ms (user + system): the machine may be shared, and what the rules
 * cost is the CPU they use, not the time spent waiting for a core. (GC threads count too.)
 */
const now = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

type Fix = { t: number; lat: number; lon: number };

function setup(o: typeof rulesBenchDefaults, log: (s: string) => void) {
  const league = generateLeague({
    households: o.households,
    collarShare: 1,
    waterSensorShare: 0,
    trackersPerSumu: 4,
  });
  league.doc.devices = league.doc.devices.map(({ secret: _s, ...d }) => d); // no hashing: not what is measured
  const db = openDatabase(':memory:');
  const registry = openSqliteRegistry(db);
  const imported = registry.importDocumentNow(league.doc);
  if (!imported.ok) throw new Error(`league does not import: ${JSON.stringify(imported.errors.slice(0, 3))}`);
  const zones = parseZones(demoZones(), registry);
  if (!zones.ok) throw new Error(JSON.stringify(zones.issues));
  log(`league: ${league.doc.households.length} households, ${league.doc.devices.length} devices`);
  return { db, registry, zones: zones.zones, devices: league.devices };
}

/** Positions of herds: mostly near their camp inside the pasture; some strayed; a few by the border. */
function herds(o: typeof rulesBenchDefaults, relays: SimDevice[], border: [number, number][], seed: number) {
  const rng = createRng(seed);
  const kind = relays.map(() =>
    rng.chance(o.borderShare) ? 'border' : rng.chance(o.strayShare) ? 'stray' : 'home',
  );
  /** Relay `r`'s herd at time `t`. */
  return (r: number, t: number): Fix => {
    const relay = relays[r]!;
    const jitter = () => rng.between(-0.004, 0.004);
    if (kind[r] === 'border') {
      const [lon, lat] = border[(r * 7) % border.length]!;
      return { t, lon: lon + jitter(), lat: lat - 0.012 + jitter() }; // ≈1.3 km south of the line
    }
    const off = kind[r] === 'stray' ? 0.035 : 0;
    return { t, lon: relay.home.lon + off + jitter(), lat: relay.home.lat + jitter() };
  };
}

export async function run(options: Partial<typeof rulesBenchDefaults> = {}): Promise<BenchResult[]> {
  const o = { ...rulesBenchDefaults, ...options };
  const log = (s: string) => console.error(`bench rules: ${s}`);
  const { db, registry, zones, devices } = setup(o, log);
  const relays = devices.filter((d) => d.kind === 'collar-relay');
  const trackers = devices.filter((d) => d.kind === 'tracker');
  const clock = new FakeClock(T0);

  let t = now();
  const engine = new RulesEngine({ db, registry, clock, zones });
  const buildMs = now() - t;
  const line = engine.env.zones.borders[0]!;
  const border = line.zone.geometry.coordinates as [number, number][];
  log(
    `indexes built in ${buildMs.toFixed(0)} ms: ${engine.subjects.pastures.size} pastures, ${line.segments.length} segments`,
  );

  // Per position, herd mix.
  const herd = herds(o, relays, border, 1);
  const mix = Array.from({ length: o.evalPositions }, (_, i) => ({
    relay: relays[i % relays.length]!,
    fix: herd(i % relays.length, T0 + Math.floor(i / relays.length) * 2 * MIN), // every herd each 2 min
  }));
  let alerts = 0;
  t = now();
  for (const { relay, fix } of mix) {
    if (fix.t > clock.now()) clock.set(fix.t);
    alerts += engine.positions(relay.id, undefined, [fix], fix.t).length;
  }
  const perPositionUs = ((now() - t) * 1000) / mix.length;
  log(`herd mix: ${perPositionUs.toFixed(1)} µs/position, ${alerts} alert actions`);

  // Near the border: herds inside the buffer zone (distance + far side on every fix).
  const rng = createRng(2);
  const edge = Array.from({ length: o.edgePositions }, (_, i) => {
    const [lon, lat] = border[i % border.length]!;
    return {
      relay: relays[i % relays.length]!,
      fix: { t: clock.now(), lon, lat: lat - rng.between(0.002, 0.015) },
    };
  });
  t = now();
  for (const { relay, fix } of edge) engine.positions(relay.id, 'edge', [fix], fix.t);
  const nearBorderUs = ((now() - t) * 1000) / edge.length;

  // Patrol trackers driving along the border, each on its own stretch: a fix every 30 s, ≈470 m apart.
  const base = clock.now();
  const patrol = Array.from({ length: o.edgePositions }, (_, i) => {
    const k = i % trackers.length;
    const j = Math.floor(i / trackers.length);
    const [lon, lat] = border[(k * 24 + j) % border.length]!;
    return { tracker: trackers[k]!, fix: { t: base + j * 30_000, lon, lat: lat - 0.002 } };
  });
  t = now();
  for (const { tracker, fix } of patrol) {
    if (fix.t > clock.now()) clock.set(fix.t);
    engine.positions(tracker.id, undefined, [fix], fix.t);
  }
  const patrolUs = ((now() - t) * 1000) / patrol.length;
  log(`near the border: ${nearBorderUs.toFixed(1)} µs/position; patrol: ${patrolUs.toFixed(1)} µs/position`);

  const rate = await sustained(o, { db2: openDatabase(':memory:'), registry, relays, border, log });
  return [
    {
      name: 'rules.build',
      value: buildMs,
      unit: 'ms',
      reference: null,
      ratio: null,
      target: 'informational',
      ok: null,
    },
    {
      name: 'rules.eval-per-position',
      value: perPositionUs,
      unit: 'µs',
      reference: null,
      ratio: null,
      target: '≤ 50 µs (10k pastures, 369 km border)',
      ok: perPositionUs <= 50,
    },
    {
      name: 'rules.eval-near-border',
      value: nearBorderUs,
      unit: 'µs',
      reference: null,
      ratio: null,
      target: '≤ 250 µs',
      ok: nearBorderUs <= 250,
    },
    {
      name: 'rules.eval-patrol',
      value: patrolUs,
      unit: 'µs',
      reference: null,
      ratio: null,
      target: '≤ 250 µs',
      ok: patrolUs <= 250,
    },
    {
      name: 'rules',
      value: rate,
      unit: 'positions/s',
      reference: null,
      ratio: null,
      target: `≥ ${o.targetRate}`,
      ok: rate >= o.targetRate,
    },
  ];
}

/** Drives the module's pos handler with relay batches for `sustainMs`; alerts go to a counting sink. */
async function sustained(
  o: typeof rulesBenchDefaults,
  env: {
    db2: ReturnType<typeof openDatabase>;
    registry: Registry;
    relays: SimDevice[];
    border: [number, number][];
    log: (s: string) => void;
  },
): Promise<number> {
  const clock = new FakeClock(T0);
  const counts = { raised: 0, cleared: 0 };
  const sink = {
    raise: async (_a: AlertInput) => ({ incidentId: `i${++counts.raised}`, created: true }),
    clear: async () => {
      counts.cleared++;
    },
  };
  // The module keeps its tables in its own database; the registry is shared read-only.
  const rules = createRulesModule({ sink, clock, zones: demoZones() });
  rules.start({
    db: env.db2,
    registry: env.registry,
    telemetry: undefined as never,
    publisher: undefined as never,
    events: new HubEvents(),
    clock,
    log: silentLogger(),
    metrics: new MetricsRegistry(),
    dataDir: '/nonexistent',
  });
  const herd = herds(o, env.relays, env.border, 3);
  const handler = rules.handlers!.pos!;
  const R = env.relays.length;
  let fixes = 0;
  const start = now();
  for (let m = 0; now() - start < o.sustainMs; m++) {
    // Relay m % R sends the next `batchFixes` fixes of its herd, 2 min apart.
    const r = m % R;
    const t0 = T0 + Math.floor(m / R) * o.batchFixes * 2 * MIN;
    const batch = Array.from({ length: o.batchFixes }, (_, k) => herd(r, t0 + k * 2 * MIN));
    const ts = batch.at(-1)!.t;
    if (ts > clock.now()) await clock.advance(ts - clock.now()); // runs the periodic tick as time passes
    const msg = {
      v: 1 as const,
      id: `b${m}`,
      ts,
      t0,
      fixes: batch.map(
        (f) =>
          [f.t - t0, f.lat, f.lon, null, null, null, null] as [
            number,
            number,
            number,
            null,
            null,
            null,
            null,
          ],
      ),
    };
    await handler({ seq: m, deviceId: env.relays[r]!.id, kind: 'pos', msg, receivedAt: clock.now() });
    fixes += batch.length;
  }
  const rate = fixes / ((now() - start) / 1000);
  env.log(
    `sustained: ${fixes} fixes, ${rate.toFixed(0)} positions/s; ${counts.raised} raised, ${counts.cleared} cleared`,
  );
  rules.close();
  return rate;
}

if (isMain(import.meta.url)) {
  run()
    .then((rows) => console.log(formatTable(rows)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
