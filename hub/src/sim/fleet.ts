import { createAgent, createMemoryOutbox, type EdgeAgent, mqttConnectionFactory } from '@steppelink/edge';
import type { SosCategory } from '@steppelink/protocols';
import { distance } from '@turf/distance';
import { point } from '@turf/helpers';
import type { Logger } from '../log.ts';
import type { SimDevice, SimLeague } from './league.ts';
import { SimLink } from './link.ts';
import { createPatrol, type Herd, type Patrol, stepHerd, stepPatrol } from './motion.ts';
import { createRng, type Rng } from './random.ts';

/** How lively the simulated league is; per-hour rates are across the whole fleet. */
export const FLEET_DEFAULTS = {
  tickMs: 10_000, // herds and patrols move, and report, every tick
  connectConcurrency: 100, // devices connecting at once while the fleet comes up
  sosPerHour: 12, // SOS presses across all households
  firstSosAfterMs: 15_000, // one press soon after start, so a fresh demo shows the SOS path at once
  cancelShare: 0.2, // share of SOS presses the household cancels (with confirmation) half a minute later
  strayShare: 0.06, // share of collar herds that wander off their pasture
  driftShare: 0.03, // share of collar herds drifting north toward the border
  powerCutsPerHour: 2, // a gacha loses mains power; its boxes run on battery for a while
  outagesPerHour: 6, // a device's link drops for a few minutes
  hbIntervalS: 300, // set-top box heartbeat
  posIntervalS: 10, // one fix kept per 10 s of GPS time
  posBatchMaxAgeS: 20, // and sent at least every 20 s, so the map moves while people watch
  readingEveryTicks: 30, // collar and water-point readings every 30 ticks (5 min)
  seed: 7,
};
export type FleetOptions = Partial<typeof FLEET_DEFAULTS> & {
  hubUrls: readonly string[];
  league: SimLeague;
  /** The border line ([lon, lat] coordinates) patrols drive along. */
  border: [number, number][];
  log: Logger;
  onProgress?: (p: { connected: number; total: number }) => void;
};

interface SimUnit {
  device: SimDevice;
  agent: EdgeAgent;
  link: SimLink;
  herd?: Herd;
  patrol?: Patrol;
  power: { source: 'mains' | 'battery'; battery: number };
}

export interface Fleet {
  readonly size: number;
  /** One simulated device's agent statistics (for diagnostics). */
  agentStats(deviceId: string): ReturnType<EdgeAgent['stats']> | undefined;
  stats(): {
    devices: number;
    connected: number;
    sos: number;
    cancels: number;
    outages: number;
    powerCuts: number;
  };
  close(): Promise<void>;
}

/** Where along the border (km) a patrol based near `home` drives: a 30 km stretch centred on its base. */
function patrolStretch(border: [number, number][], home: { lat: number; lon: number }): [number, number] {
  let km = 0;
  let best = { d: Number.POSITIVE_INFINITY, km: 0 };
  for (let i = 0; i < border.length; i++) {
    if (i > 0) km += distance(point(border[i - 1]!), point(border[i]!), { units: 'kilometers' });
    const d = distance(point(border[i]!), point([home.lon, home.lat]), { units: 'kilometers' });
    if (d < best.d) best = { d, km };
  }
  return [Math.max(0, best.km - 15), best.km + 15];
}

const CATEGORIES: SosCategory[] = [
  'medical',
  'blizzard',
  'injury',
  'lost-person',
  'livestock',
  'fire',
  'unknown',
];

/**
 * The simulated fleet: one real edge agent per device (in-memory outbox, real MQTT connection to
 * the hub, real reconnect/backoff), fed by simulated inputs — herds moving over their pastures
 * (some straying, some drifting toward the border), patrols driving the border track, water
 * points, SOS presses and cancels, power cuts and link outages.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const o = { ...FLEET_DEFAULTS, ...options };
  const rng: Rng = createRng(o.seed);
  const units: SimUnit[] = [];
  const counters = { sos: 0, cancels: 0, outages: 0, powerCuts: 0, errors: 0 };
  let closed = false;

  for (const device of o.league.devices) {
    const link = new SimLink(mqttConnectionFactory, Date.now);
    const power: SimUnit['power'] = { source: 'mains', battery: 100 };
    const agent = createAgent({
      deviceId: device.id,
      secret: device.secret,
      hubUrls: o.hubUrls,
      units: device.units,
      store: createMemoryOutbox(),
      connect: link.factory,
      settings: {
        hbIntervalS: o.hbIntervalS,
        posIntervalS: o.posIntervalS,
        posBatchMaxAgeS: o.posBatchMaxAgeS,
        reconnectInitialMs: 2_000,
        reconnectMaxMs: 60_000,
      },
      power: () =>
        power.source === 'mains'
          ? { source: 'mains' }
          : { source: 'battery', battery: Math.round(power.battery) },
      rssi: () => -70 - Math.round(rng.next() * 40),
      fw: 'SteppeLink sim',
    });
    const unit: SimUnit = { device, agent, link, power };
    if (device.kind === 'collar-relay') {
      const r = rng.next();
      const mode = r < o.driftShare ? 'drift' : r < o.driftShare + o.strayShare ? 'stray' : 'graze';
      unit.herd = { pos: device.home, home: device.home, mode, headingDeg: rng.between(0, 360) };
    }
    if (device.kind === 'tracker') {
      const [from, to] = patrolStretch(o.border, device.home);
      unit.patrol = createPatrol(o.border, from, to, rng);
    }
    units.push(unit);
  }

  // Bring the fleet up in waves, reporting progress: a real league does not connect in one instant.
  let connected = 0;
  for (let i = 0; i < units.length && !closed; i += o.connectConcurrency) {
    await Promise.all(units.slice(i, i + o.connectConcurrency).map((u) => u.agent.start()));
    connected = Math.min(units.length, i + o.connectConcurrency);
    o.onProgress?.({ connected, total: units.length });
  }

  let tick = 0;
  const byKind = (kind: SimDevice['kind']) => units.filter((u) => u.device.kind === kind);
  const boxes = byKind('settop');
  const perTick = (perHour: number) => (perHour * o.tickMs) / 3_600_000;

  const step = () => {
    if (closed) return;
    tick++;
    const now = Date.now();
    const dtS = o.tickMs / 1000;
    for (const u of units) {
      try {
        moveAndReport(u, now, dtS);
      } catch (e) {
        // One device's bad step must not stop the league; count it and log the first few.
        if (++counters.errors <= 5) o.log.warn({ err: e, deviceId: u.device.id }, 'sim step failed');
      }
    }
    randomEvents();
  };
  const moveAndReport = (u: SimUnit, now: number, dtS: number) => {
    {
      if (u.herd) {
        u.herd = stepHerd(u.herd, rng, dtS);
        u.agent.input.fix(
          { t: now, lat: u.herd.pos.lat, lon: u.herd.pos.lon, hdop: 1.2 },
          { src: 'sim', subject: `herd-${u.device.id}` },
        );
        if (tick % o.readingEveryTicks === 0) {
          u.agent.input.reading({
            type: 'collar',
            t: now,
            collarId: `${u.device.id}-c1`,
            battery: Math.max(5, 100 - ((tick / 50) % 95)),
            activity: Math.round(rng.between(10, 80)),
            pos: { lat: u.herd.pos.lat, lon: u.herd.pos.lon },
          });
        }
      } else if (u.patrol) {
        const s = stepPatrol(u.patrol, dtS);
        u.patrol = s.patrol;
        u.agent.input.fix(
          { t: now, lat: s.pos.lat, lon: s.pos.lon, speed: s.speedMps, course: s.courseDeg, hdop: 0.9 },
          { src: 'sim' },
        );
      } else if (u.device.kind === 'sensor' && tick % o.readingEveryTicks === 0) {
        u.agent.input.reading({
          type: 'water',
          t: now,
          pointId: `${u.device.id}-1`,
          levelPct: Math.round(rng.between(15, 90)),
        });
      }
      if (u.power.source === 'battery') u.power.battery = Math.max(3, u.power.battery - 0.2);
    }
  };
  const randomEvents = () => {
    if (boxes.length > 0 && rng.chance(perTick(o.sosPerHour))) {
      const u = rng.pick(boxes);
      counters.sos++;
      u.agent.input.sosPress('sim', rng.pick(CATEGORIES));
      if (rng.chance(o.cancelShare)) {
        setTimeout(() => {
          if (closed) return;
          counters.cancels++;
          u.agent.input.sosCancel('sim');
          u.agent.input.sosConfirmCancel('sim');
        }, 30_000).unref();
      }
    }
    if (rng.chance(perTick(o.powerCutsPerHour)) && boxes.length > 0) {
      const gacha = rng.pick(boxes).device.units[1];
      const hit = boxes.filter((b) => b.device.units[1] === gacha);
      counters.powerCuts++;
      for (const b of hit) b.power.source = 'battery';
      setTimeout(() => {
        for (const b of hit) {
          b.power.source = 'mains';
          b.power.battery = 100;
        }
      }, 15 * 60_000).unref();
    }
    if (rng.chance(perTick(o.outagesPerHour)) && units.length > 0) {
      counters.outages++;
      rng.pick(units).link.cut(rng.between(2, 8) * 60_000);
    }
  };
  const timer = setInterval(step, o.tickMs);
  timer.unref();
  const first = setTimeout(() => {
    if (closed || boxes.length === 0) return;
    counters.sos++;
    rng.pick(boxes).agent.input.sosPress('sim', 'medical');
  }, o.firstSosAfterMs);
  first.unref();

  return {
    size: units.length,
    stats: () => ({
      devices: units.length,
      connected: units.filter((u) => u.agent.stats().link === 'online').length,
      ...counters,
    }),
    agentStats: (id: string) => units.find((u) => u.device.id === id)?.agent.stats(),
    async close() {
      closed = true;
      clearInterval(timer);
      clearTimeout(first);
      await Promise.all(units.map((u) => u.agent.close().catch(() => undefined)));
    },
  };
}
