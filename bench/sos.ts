/**
 * bench/sos: SOS latency — a household box publishes an SOS (QoS 1), the hub accepts it, opens
 * an incident, routes it to the grid worker on duty and publishes the alert; the worker's phone
 * client receives it. Measured from the box's publish to the phone's receipt, p50/p99, while the
 * hub ingests background telemetry at a steady rate. In the same run, Debian's mosquitto relays
 * the same publish straight to a subscriber under the same background load: the bare relay
 * latency. Target: hub SOS p99 ≤ 2 × mosquitto relay p99. The hub asks Linux for a short
 * scheduler slice on its event loop (hub option `eventLoopSliceUs`); mosquitto as Debian ships it
 * does not, so each round also measures mosquitto given the same hint, reported as `sos.vs_hinted`.
 *
 * Three processes, so load and probes don't share the measured event loop: this one runs the
 * hub (or the background subscriber for mosquitto); a `load` child publishes the telemetry; a
 * `probe` child runs the boxes and the phone and times each SOS with one clock.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeOrThrow, upTopic, workerAlertTopic } from '@steppelink/protocols';
import mqtt, { type MqttClient } from 'mqtt';
import {
  createHub,
  type HubModule,
  createIncidentsModule,
  type IncidentsModule,
  silentLogger,
  type RegistryDocument,
} from '@steppelink/hub';
import { DEMO_PASSWORD, SMALL_LEAGUE } from '@steppelink/hub/testing';
import { EVENT_LOOP_SLICE_US, requestSchedulerSlice } from '@steppelink/hub/internals';
import { startMosquitto } from '../tests/support/mosquitto.ts';
import { type FleetDevice, fleet, fleetRegistry, message } from './lib/fleet.ts';
import { type BenchResult, formatTable, isMain } from './lib/result.ts';
import { percentile } from './lib/stats.ts';

export const sosBenchDefaults = {
  loadDevices: 100, // background connections (trackers, collar relays, set-top boxes)
  loadRate: 500, // background messages per second, all devices together, QoS 1
  warmupMs: 2_000, // background load runs this long before the first SOS
  warmupPresses: 20, // SOS presses at the start of each round that are made but not counted (both targets): each round starts a fresh hub, whose first SOS runs cold code; a hub in service is long warm
  samples: 400, // counted SOS presses per round (each from its own household: one incident each)
  gapMs: 25, // pause between one SOS's alert and the next press
  rounds: 3, // hub and mosquitto alternate; samples are pooled per target (1,200 per target: p99 is the 12th worst, steadier than with 750)
  hintedReference: true, // each round also measures mosquitto given the scheduler hint the hub gives its event loop (a short slice): reported as info, the target stays against mosquitto as shipped
  timeoutMs: 10_000, // an SOS whose alert doesn't arrive by then counts as lost
};
type Options = typeof sosBenchDefaults;

const ROLE_ENV = 'STEPPELINK_SOS_BENCH_ROLE';
const log = (s: string) => process.stderr.write(`  sos: ${s}\n`);
const GRID = '150824-104-007-03'; // 巴音哈太嘎查三组: grid worker 巴特尔 (p-bater) is on duty
const boxId = (i: number) => `stb-bench-sos-${String(i).padStart(4, '0')}`;
const boxSecret = (id: string) => `bench-sos-secret-${id}`;

// ---- IPC between this process and its children ----
type LoadIn =
  | { type: 'start'; url: string; devices: FleetDevice[]; rate: number; auth: boolean }
  | { type: 'stop' };
type LoadOut = { type: 'ready' } | { type: 'stopped'; sent: number; acked: number; elapsedMs: number };
type ProbeIn = {
  type: 'start';
  url: string;
  mode: 'hub' | 'relay';
  boxes: string[];
  auth: boolean;
  gapMs: number;
  timeoutMs: number;
};
/** latencies in press order, null for a press whose alert never came (lost) */
type ProbeOut = { type: 'ready' } | { type: 'done'; latencies: (number | null)[]; lost: number };

class Kid<In, Out extends { type: string }> {
  private readonly proc: ChildProcess;
  private readonly queue: Out[] = [];
  private readonly waiters: ((m: Out) => void)[] = [];
  private readonly exited: Promise<number | null>;
  constructor(role: 'load' | 'probe') {
    this.proc = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, [ROLE_ENV]: role },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: Out) => {
      const w = this.waiters.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
    this.exited = new Promise((r) => this.proc.once('exit', (code) => r(code)));
  }
  send(m: In): void {
    this.proc.send(m as object);
  }
  async next<T extends Out['type']>(type: T): Promise<Extract<Out, { type: T }>> {
    const m =
      this.queue.shift() ??
      (await Promise.race([
        new Promise<Out>((r) => this.waiters.push(r)),
        this.exited.then((c) => Promise.reject(new Error(`bench child exited (${c})`))),
      ]));
    if (m.type !== type) throw new Error(`bench child said ${m.type}, expected ${type}`);
    return m as Extract<Out, { type: T }>;
  }
  async stop(): Promise<void> {
    if (this.proc.exitCode === null) this.proc.kill('SIGTERM');
    await this.exited;
  }
}

const connectClient = (url: string, o: mqtt.IClientOptions) =>
  new Promise<MqttClient>((resolve, reject) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 30_000, keepalive: 60, ...o });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });

// ---- children ----
async function loadChild(): Promise<void> {
  let clients: { d: FleetDevice; c: MqttClient; n: number }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sent = 0;
  let acked = 0;
  let t0 = 0;
  process.on('message', async (m: LoadIn) => {
    if (m.type === 'start') {
      for (const d of m.devices) {
        const c = await connectClient(m.url, {
          clientId: d.id,
          ...(m.auth ? { username: d.id, password: d.password } : {}),
        });
        clients.push({ d, c, n: 0 });
      }
      // Steady rate: every 10 ms a slice of the per-second budget, round-robin over the devices.
      t0 = performance.now();
      let i = 0;
      timer = setInterval(() => {
        const due = Math.floor(((performance.now() - t0) / 1000) * m.rate) - sent;
        for (let k = 0; k < due; k++) {
          const x = clients[i++ % clients.length]!;
          const msg = message(x.d, ++x.n);
          sent++;
          x.c.publish(msg.topic, msg.payload, { qos: 1 }, (err) => {
            if (!err) acked++;
          });
        }
      }, 10);
      process.send?.({ type: 'ready' } satisfies LoadOut);
    } else {
      clearInterval(timer);
      const elapsedMs = performance.now() - t0;
      await Promise.all(clients.map((x) => x.c.endAsync(true)));
      clients = [];
      process.send?.({ type: 'stopped', sent, acked, elapsedMs } satisfies LoadOut);
    }
  });
}

async function probeChild(): Promise<void> {
  process.on('message', async (m: ProbeIn) => {
    const arrived = new Map<string, number>();
    const wait = new Map<string, () => void>();
    const phone = await connectClient(m.url, {
      clientId: 'bench-phone-p-bater',
      // A persistent session, as phones are told to use: the hub queues its pages durably and
      // records each PUBACK (sos.delivered_p99); against mosquitto the same session kind.
      clean: false,
      ...(m.auth ? { username: 'bater', password: DEMO_PASSWORD } : {}),
    });
    phone.on('message', (topic, payload) => {
      const at = performance.now();
      let box: string | undefined;
      if (m.mode === 'relay') box = topic.split('/')[2];
      else {
        const a = JSON.parse(payload.toString()) as { id: string; household?: { id: string } };
        if (a.id.startsWith('alr-') && a.household) box = a.household.id.replace(/^hh-/, '');
      }
      if (box && !arrived.has(box)) {
        arrived.set(box, at);
        wait.get(box)?.();
      }
    });
    await phone.subscribeAsync(m.mode === 'relay' ? 'sl/v1/+/sos' : workerAlertTopic('p-bater'), { qos: 1 });
    const boxes: MqttClient[] = [];
    for (const id of m.boxes) {
      boxes.push(
        await connectClient(m.url, {
          clientId: id,
          ...(m.auth ? { username: id, password: boxSecret(id) } : {}),
        }),
      );
    }
    process.send?.({ type: 'ready' } satisfies ProbeOut);
    const latencies: (number | null)[] = [];
    let lost = 0;
    for (let i = 0; i < m.boxes.length; i++) {
      const id = m.boxes[i]!;
      const payload = encodeOrThrow('sos', {
        v: 1,
        id: `${id}:sos:${Date.now()}`,
        ts: Date.now(),
        action: 'raise',
        category: 'blizzard',
      });
      const got = new Promise<void>((r) => wait.set(id, r));
      const t = performance.now();
      boxes[i]!.publish(upTopic(id, 'sos'), payload, { qos: 1 });
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), m.timeoutMs).unref());
      if ((await Promise.race([got, timeout])) === 'timeout') {
        lost++;
        latencies.push(null);
      } else latencies.push(arrived.get(id)! - t);
      await new Promise((r) => setTimeout(r, m.gapMs));
    }
    await Promise.all([...boxes, phone].map((c) => c.endAsync(true)));
    process.send?.({ type: 'done', latencies, lost } satisfies ProbeOut);
  });
}

// ---- one round against one target ----
async function measure(
  url: string,
  mode: 'hub' | 'relay',
  load: FleetDevice[],
  boxes: string[],
  o: Options,
): Promise<{ latencies: (number | null)[]; lost: number; rate: number }> {
  const loader = new Kid<LoadIn, LoadOut>('load');
  const probe = new Kid<ProbeIn, ProbeOut>('probe');
  try {
    loader.send({ type: 'start', url, devices: load, rate: o.loadRate, auth: mode === 'hub' });
    await loader.next('ready');
    probe.send({
      type: 'start',
      url,
      mode,
      boxes,
      auth: mode === 'hub',
      gapMs: o.gapMs,
      timeoutMs: o.timeoutMs,
    });
    await probe.next('ready');
    await new Promise((r) => setTimeout(r, o.warmupMs));
    const done = await probe.next('done');
    loader.send({ type: 'stop' });
    const s = await loader.next('stopped');
    return { latencies: done.latencies, lost: done.lost, rate: (s.acked / s.elapsedMs) * 1000 };
  } finally {
    await Promise.all([loader.stop(), probe.stop()]);
  }
}

function registry(load: FleetDevice[], boxes: string[]): RegistryDocument {
  const extra = fleetRegistry(load);
  return {
    ...SMALL_LEAGUE,
    households: [
      ...SMALL_LEAGUE.households,
      ...extra.households,
      ...boxes.map((id, i) => ({
        id: `hh-${id}`,
        grid: GRID,
        name: `测试牧户${i + 1}`,
        lang: 'mn' as const,
        location: { lat: 42.1 + (i % 40) * 0.003, lon: 108.4 + Math.floor(i / 40) * 0.003 },
        members: [],
      })),
    ],
    devices: [
      ...SMALL_LEAGUE.devices,
      ...extra.devices,
      ...boxes.map((id) => ({
        id,
        kind: 'settop' as const,
        household: `hh-${id}`,
        enabled: true,
        secret: boxSecret(id),
      })),
    ],
  };
}

/**
 * The incidents module with a stopwatch: from its SOS handler being called to the worker's alert
 * being handed to the broker — the incident engine's share of the latency (the rest is the
 * broker, the inbox group commit and the telemetry write of the SOS's batch). Only timestamps are
 * taken on the path; the alerts are matched to their SOS after the round.
 */
function instrumented(inner: IncidentsModule): {
  module: HubModule;
  engineMs: () => number[];
  deliveredMs: () => number[];
} {
  const started = new Map<string, number>();
  const alerts: { at: number; payload: Buffer }[] = [];
  const pubacks: { at: number; payload: Buffer }[] = [];
  const module: HubModule = {
    name: inner.name,
    start: (c) =>
      inner.start({
        ...c,
        publisher: {
          isConnected: (id) => c.publisher.isConnected(id),
          ...(c.publisher.hasSubscriber
            ? { hasSubscriber: (t: string) => c.publisher.hasSubscriber!(t) }
            : {}),
          onDelivered(fn) {
            c.publisher.onDelivered?.((clientId, topic, payload) => {
              if (topic.startsWith('sl/v1/worker/')) pubacks.push({ at: performance.now(), payload });
              fn(clientId, topic, payload);
            });
          },
          publish(topic, payload, opts) {
            if (topic.startsWith('sl/v1/worker/')) alerts.push({ at: performance.now(), payload });
            return c.publisher.publish(topic, payload, opts);
          },
        },
      }),
    handlers: {
      ...inner.handlers,
      sos: (m) => {
        started.set(`hh-${m.deviceId}`, performance.now());
        return inner.handlers!.sos!(m);
      },
    },
    close: () => inner.close(),
  };
  const since = (xs: { at: number; payload: Buffer }[]) =>
    xs.flatMap(({ at, payload }) => {
      const hh = (JSON.parse(payload.toString()) as { household?: { id: string } }).household?.id;
      const t = hh ? started.get(hh) : undefined;
      return t === undefined ? [] : [at - t];
    });
  return { module, engineMs: () => since(alerts), deliveredMs: () => since(pubacks) };
}

/** The kernel's scheduler slice of this process's main thread (the hub's event loop), in µs. */
function eventLoopSliceUs(): number | undefined {
  try {
    const ns = /^se\.slice\s*:\s*(\d+)/m.exec(readFileSync('/proc/self/sched', 'utf8'))?.[1];
    return ns === undefined ? undefined : Number(ns) / 1000;
  } catch {
    return undefined;
  }
}

async function hubRound(load: FleetDevice[], boxes: string[], o: Options) {
  const dataDir = mkdtempSync(join(tmpdir(), 'steppelink-bench-sos-'));
  const incidents = instrumented(createIncidentsModule({ jobs: false }));
  const hub = createHub({
    dataDir,
    host: '127.0.0.1',
    mqttPort: 0,
    httpPort: 0,
    log: silentLogger(),
    registry: registry(load, boxes),
    modules: [incidents.module],
  });
  try {
    const ports = await hub.start();
    const r = await measure(`mqtt://127.0.0.1:${ports.mqttPort}`, 'hub', load, boxes, o);
    const opened = hub.db
      .prepare("SELECT count(*) FROM incidents WHERE source = 'sos'")
      .pluck()
      .get() as number;
    if (opened !== boxes.length)
      throw new Error(`the hub opened ${opened} incidents for ${boxes.length} SOS presses`);
    return {
      ...r,
      engineMs: incidents.engineMs(),
      deliveredMs: incidents.deliveredMs(),
      sliceUs: eventLoopSliceUs(),
    };
  } finally {
    await hub.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `sliceUs`: give mosquitto the scheduler hint the hub gives its own event loop; where the kernel
 * can't take it (before Linux 6.12), the round is not run and the reason is returned instead.
 */
async function mosquittoRound(load: FleetDevice[], boxes: string[], o: Options, sliceUs?: number) {
  const broker = await startMosquitto({ persistence: false });
  if (sliceUs !== undefined) {
    const r = requestSchedulerSlice(sliceUs, broker.pid);
    if (!r.applied) {
      await broker.close();
      return r.reason;
    }
  }
  // The background telemetry needs a consumer, as the hub consumes it.
  const sink = await connectClient(broker.url, { clientId: 'bench-telemetry-sink', clean: true });
  try {
    await sink.subscribeAsync(['sl/v1/+/pos', 'sl/v1/+/hb'], { qos: 1 });
    return await measure(broker.url, 'relay', load, boxes, o);
  } finally {
    await sink.endAsync(true);
    await broker.close();
  }
}

/** Splits a round's latencies (in press order) into the uncounted warm-up and the counted rest. */
function counted<T extends { latencies: (number | null)[] }>(
  r: T,
  o: Options,
): Omit<T, 'latencies'> & { latencies: number[]; warmup: number[] } {
  const arrived = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
  return {
    ...r,
    warmup: arrived(r.latencies.slice(0, o.warmupPresses)),
    latencies: arrived(r.latencies.slice(o.warmupPresses)),
  };
}

const fmt = (xs: number[]) =>
  `p50 ${percentile(xs, 50).toFixed(2)} ms, p99 ${percentile(xs, 99).toFixed(2)} ms`;

export async function run(options: Partial<Options> = {}): Promise<BenchResult[]> {
  const o = { ...sosBenchDefaults, ...options };
  const load = fleet(o.loadDevices);
  const hub: number[] = [];
  const engine: number[] = [];
  const delivered: number[] = [];
  const relay: number[] = [];
  const cold: number[] = []; // the uncounted warm-up presses, reported as their own figure
  const relayCold: number[] = [];
  const hinted: number[] = []; // mosquitto with the hub's scheduler hint
  let hint = o.hintedReference;
  let lost = 0;
  let hubRate = 0;
  let relayRate = 0;
  for (let round = 0; round < o.rounds; round++) {
    const perRound = o.warmupPresses + o.samples;
    const boxes = Array.from({ length: perRound }, (_, i) => boxId(round * perRound + i + 1));
    const h = counted(await hubRound(load, boxes, o), o);
    hub.push(...h.latencies);
    cold.push(...h.warmup);
    engine.push(...h.engineMs.slice(o.warmupPresses));
    delivered.push(...h.deliveredMs.slice(o.warmupPresses));
    lost += h.lost;
    hubRate = h.rate;
    if (round === 0)
      log(
        `the hub's event loop runs with a ${h.sliceUs ?? '?'} µs scheduler slice (${h.sliceUs === EVENT_LOOP_SLICE_US ? 'its latency hint' : "the kernel's default: the hint was not applied"})`,
      );
    log(
      `round ${round + 1} hub       ${fmt(h.latencies)} (${h.lost} lost; background ${h.rate.toFixed(0)} msg/s)`,
    );
    log(
      `round ${round + 1} of that, the incident engine (SOS handler → alert to the broker): ${fmt(h.engineMs.slice(o.warmupPresses))}`,
    );
    const asShipped = await mosquittoRound(load, boxes, o);
    if (typeof asShipped === 'string') throw new Error(asShipped); // not asked for a hint: never
    const m = counted(asShipped, o);
    relay.push(...m.latencies);
    relayCold.push(...m.warmup);
    relayRate = m.rate;
    log(
      `round ${round + 1} mosquitto ${fmt(m.latencies)} (${m.lost} lost; background ${m.rate.toFixed(0)} msg/s)`,
    );
    if (hint) {
      const r = await mosquittoRound(load, boxes, o, EVENT_LOOP_SLICE_US);
      if (typeof r === 'string') {
        log(`mosquitto given the hub's slice hint: not measured (${r})`);
        hint = false;
      } else {
        const hm = counted(r, o);
        hinted.push(...hm.latencies);
        log(
          `round ${round + 1} mosquitto with a ${EVENT_LOOP_SLICE_US} µs slice ${fmt(hm.latencies)} (${hm.lost} lost)`,
        );
      }
    }
  }
  const p99 = percentile(hub, 99);
  const ref99 = percentile(relay, 99);
  const ratio = p99 / ref99;
  return [
    {
      name: 'sos',
      value: p99,
      unit: 'ms',
      reference: ref99,
      ratio,
      target: '≤ 2 × mosquitto relay p99',
      ok: lost === 0 && ratio <= 2,
    },
    {
      name: 'sos.p50',
      value: percentile(hub, 50),
      unit: 'ms',
      reference: percentile(relay, 50),
      ratio: percentile(hub, 50) / percentile(relay, 50),
      target: 'info',
      ok: null,
    },
    ...(hinted.length
      ? [
          {
            name: 'sos.vs_hinted',
            value: p99,
            unit: 'ms',
            reference: percentile(hinted, 99),
            ratio: p99 / percentile(hinted, 99),
            target: `info (reference: mosquitto given the same ${EVENT_LOOP_SLICE_US} µs scheduler slice as the hub's event loop)`,
            ok: null,
          } satisfies BenchResult,
        ]
      : []),
    {
      name: 'sos.warmup_max',
      value: Math.max(...cold),
      unit: 'ms',
      reference: Math.max(...relayCold),
      ratio: Math.max(...cold) / Math.max(...relayCold),
      target: `info (slowest of the first ${o.warmupPresses} presses per round, not counted above)`,
      ok: null,
    },
    {
      name: 'sos.engine_p99',
      value: percentile(engine, 99),
      unit: 'ms',
      reference: null,
      ratio: null,
      target: 'info (SOS handler → alert to broker)',
      ok: null,
    },
    {
      name: 'sos.delivered_p99',
      value: percentile(delivered, 99),
      unit: 'ms',
      reference: percentile(hub, 99),
      ratio: percentile(delivered, 99) / percentile(hub, 99),
      target: `info (SOS handler → the phone's PUBACK of its page at the hub, ${delivered.length} pages; reference: publish → phone p99)`,
      ok: null,
    },
    {
      name: 'sos.lost',
      value: lost,
      unit: 'SOS',
      reference: null,
      ratio: null,
      target: '0',
      ok: lost === 0,
    },
    {
      name: 'sos.background',
      value: hubRate,
      unit: 'msg/s',
      reference: relayRate,
      ratio: hubRate / relayRate,
      target: `info (${o.loadRate} msg/s asked)`,
      ok: null,
    },
  ];
}

const role = process.env[ROLE_ENV];
if (role === 'load') void loadChild();
else if (role === 'probe') void probeChild();
else if (isMain(import.meta.url)) {
  run()
    .then((rows) => {
      console.log(formatTable(rows));
      process.exit(0);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
