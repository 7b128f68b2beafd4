/**
 * bench/ingest: sustained ingest rate of the hub — QoS 1 from many device connections, every
 * message decoded, committed to the inbox (PUBACK) and written to the telemetry store (SQLite)
 * — against the bare relay rate of Debian's mosquitto measured in the same run with the same
 * publisher harness (mosquitto → one mqtt.js subscriber on `#` at QoS 1). Target: ratio ≥ 1.
 * The publishers run in a child process; the hub (or the subscriber) runs in this one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { createHub, type HubOptions, silentLogger, type RegistryDocument, hashSecret } from '@steppelink/hub';
import { SMALL_LEAGUE } from '@steppelink/hub/testing';
import { startMosquitto } from '../tests/support/mosquitto.ts';
import { Child } from './lib/child.ts';
import { cpuTimeUs, findPid, mainThreadCpuUs } from './lib/proc.ts';
import { type FleetDevice, fixesPerMessage, fleet, fleetRegistry } from './lib/fleet.ts';
import type { PublisherIn, PublisherOut } from './lib/mqtt-publisher.ts';
import { type BenchResult, formatTable, isMain } from './lib/result.ts';
import { median } from './lib/stats.ts';

export const ingestBenchDefaults = {
  devices: 200, // connections publishing at once
  perDevice: 200, // messages each: 40k per run
  inflight: 10, // QoS 1 messages outstanding per device (an outbox flushing its backlog after a link comes back)
  rounds: 5, // hub and mosquitto alternate, so background load hits both alike; the median of each is reported (rounds swing ±20% on a busy 2-core box)
};

interface RunFigures {
  rate: number;
  elapsedMs: number;
  ackP50Ms: number;
  ackP99Ms: number;
  /** CPU time per message of each party, µs: the publisher harness, the broker (hub or mosquitto), the counting subscriber */
  cpu: { publisher: number; broker: number; subscriber?: number; brokerMain?: number };
}

const log = (s: string) => process.stderr.write(`  ingest: ${s}\n`);
const describe = (f: RunFigures) =>
  `${f.rate.toFixed(0)} msg/s (${f.elapsedMs.toFixed(0)} ms; PUBACK p50 ${f.ackP50Ms.toFixed(1)} ms, p99 ${f.ackP99Ms.toFixed(1)} ms; ` +
  `CPU µs/msg: publisher ${f.cpu.publisher.toFixed(1)}, broker ${f.cpu.broker.toFixed(1)}` +
  `${f.cpu.brokerMain === undefined ? '' : ` (event loop ${f.cpu.brokerMain.toFixed(1)}, other threads ${(f.cpu.broker - f.cpu.brokerMain).toFixed(1)})`}` +
  `${f.cpu.subscriber === undefined ? '' : `, subscriber ${f.cpu.subscriber.toFixed(1)}`})`;

export async function publish(
  url: string,
  devices: FleetDevice[],
  o: typeof ingestBenchDefaults,
  auth: boolean,
  finished: () => Promise<void>,
): Promise<Omit<RunFigures, 'rate' | 'cpu'> & { total: number; publisherCpuUs: number }> {
  const child = new Child<PublisherIn, PublisherOut>(new URL('./lib/mqtt-publisher.ts', import.meta.url));
  try {
    child.send({ type: 'start', url, devices, perDevice: o.perDevice, inflight: o.inflight, auth });
    const ready = await Promise.race([
      child.next('ready'),
      child.next('failed').then((f) => Promise.reject(new Error(f.error))),
    ]);
    log(`${devices.length} connections in ${ready.connectMs.toFixed(0)} ms`);
    const done = child.next('done');
    const t0 = performance.now();
    child.send({ type: 'go' });
    const [d] = await Promise.all([done, finished()]);
    const elapsedMs = performance.now() - t0;
    if (d.errors > 0) throw new Error(`${d.errors} publishes failed`);
    return { total: d.acked, elapsedMs, ackP50Ms: d.ackP50Ms, ackP99Ms: d.ackP99Ms, publisherCpuUs: d.cpuUs };
  } finally {
    await child.stop();
  }
}

/** SMALL_LEAGUE plus the fleet, secrets and passwords hashed once so each round's import is quick. */
export function benchRegistry(devices: FleetDevice[]): RegistryDocument {
  const extra = fleetRegistry(devices);
  return {
    ...SMALL_LEAGUE,
    households: [...SMALL_LEAGUE.households, ...extra.households],
    devices: [...SMALL_LEAGUE.devices, ...extra.devices].map((d) =>
      d.secret ? { ...d, secret: hashSecret(d.secret, 'device') } : d,
    ),
    people: SMALL_LEAGUE.people.map((p) =>
      p.login ? { ...p, login: { ...p.login, password: hashSecret(p.login.password, 'password') } } : p,
    ),
  };
}

async function hubRun(
  devices: FleetDevice[],
  registry: RegistryDocument,
  o: typeof ingestBenchDefaults,
  extra: Partial<HubOptions> = {},
): Promise<RunFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'steppelink-bench-'));
  const hub = createHub({
    dataDir,
    host: '127.0.0.1',
    mqttPort: 0,
    httpPort: 0,
    log: silentLogger(),
    registry,
    ...extra,
  });
  try {
    const ports = await hub.start();
    const total = devices.length * o.perDevice;
    let cpu0 = process.cpuUsage();
    let main0 = mainThreadCpuUs();
    const finished = () =>
      new Promise<void>((resolve) => {
        cpu0 = process.cpuUsage();
        main0 = mainThreadCpuUs();
        const poll = setInterval(() => {
          if ((hub.ingest.health().processed as number) >= total) {
            clearInterval(poll);
            resolve();
          }
        }, 2);
      });
    const r = await publish(`mqtt://127.0.0.1:${ports.mqttPort}`, devices, o, true, finished);
    const cpu = process.cpuUsage(cpu0);
    const mainUs = mainThreadCpuUs() - main0;
    const inbox = hub.db.prepare('SELECT count(*) FROM inbox').pluck().get() as number;
    const points = devices.reduce((n, d) => n + (fixesPerMessage(d) || 1) * o.perDevice, 0);
    const written = hub.telemetry.health().written;
    if (inbox < total || written < points) {
      throw new Error(`hub stored ${inbox}/${total} messages and ${written}/${points} telemetry points`);
    }
    const h = hub.ingest.health();
    log(
      `hub: ${h.commits} commits, ${h.messagesPerCommit} messages per commit, ${h.messagesPerStoreWrite} per telemetry write`,
    );
    return {
      ...r,
      rate: (r.total / r.elapsedMs) * 1000,
      cpu: {
        publisher: r.publisherCpuUs / total,
        broker: (cpu.user + cpu.system) / total,
        brokerMain: mainUs / total,
      },
    };
  } finally {
    await hub.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function mosquittoRun(devices: FleetDevice[], o: typeof ingestBenchDefaults): Promise<RunFigures> {
  const broker = await startMosquitto({ persistence: false });
  const sub = mqtt.connect(broker.url, { clientId: 'bench-relay-counter', clean: true, reconnectPeriod: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      sub.once('connect', () => sub.subscribe('#', { qos: 1 }, (err) => (err ? reject(err) : resolve())));
      sub.once('error', reject);
    });
    const total = devices.length * o.perDevice;
    let received = 0;
    let all: () => void = () => {};
    const allIn = new Promise<void>((r) => (all = r));
    sub.on('message', () => {
      if (++received === total) all();
    });
    const pid = findPid(broker.dir);
    const mosq0 = pid ? cpuTimeUs(pid) : Number.NaN;
    const sub0 = process.cpuUsage();
    const r = await publish(broker.url, devices, o, false, () => allIn);
    const subCpu = process.cpuUsage(sub0);
    const mosq = pid ? cpuTimeUs(pid) - mosq0 : Number.NaN;
    return {
      ...r,
      rate: (r.total / r.elapsedMs) * 1000,
      cpu: {
        publisher: r.publisherCpuUs / total,
        broker: mosq / total,
        subscriber: (subCpu.user + subCpu.system) / total,
      },
    };
  } finally {
    sub.end(true);
    await broker.close();
  }
}

/** One hub run alone, e.g. for profiling (`node --cpu-prof`) or with another telemetry store. */
export async function hubOnly(
  options: Partial<typeof ingestBenchDefaults> = {},
  hubOptions: Partial<HubOptions> = {},
): Promise<RunFigures> {
  const o = { ...ingestBenchDefaults, ...options };
  const devices = fleet(o.devices);
  return hubRun(devices, benchRegistry(devices), o, hubOptions);
}

export async function run(options: Partial<typeof ingestBenchDefaults> = {}): Promise<BenchResult[]> {
  const o = { ...ingestBenchDefaults, ...options };
  const devices = fleet(o.devices);
  const registry = benchRegistry(devices);
  const hub: RunFigures[] = [];
  const mosq: RunFigures[] = [];
  for (let i = 0; i < o.rounds; i++) {
    const h = await hubRun(devices, registry, o);
    hub.push(h);
    log(`round ${i + 1} hub       ${describe(h)}`);
    const m = await mosquittoRun(devices, o);
    mosq.push(m);
    log(`round ${i + 1} mosquitto ${describe(m)}`);
  }
  const value = median(hub.map((h) => h.rate));
  const reference = median(mosq.map((m) => m.rate));
  const ratio = value / reference;
  return [
    {
      name: 'ingest',
      value,
      unit: 'msg/s',
      reference,
      ratio,
      target: '≥ 1.0 × mosquitto relay',
      ok: ratio >= 1,
    },
    {
      name: 'ingest.puback_p99',
      value: median(hub.map((h) => h.ackP99Ms)),
      unit: 'ms',
      reference: median(mosq.map((m) => m.ackP99Ms)),
      ratio: null,
      target: 'info (under full load)',
      ok: null,
    },
    {
      name: 'ingest.cpu_per_msg',
      value: median(hub.map((h) => h.cpu.broker)),
      unit: 'µs',
      reference: median(mosq.map((m) => m.cpu.broker + (m.cpu.subscriber ?? 0))),
      ratio: null,
      target: 'info (hub vs mosquitto + subscriber)',
      ok: null,
    },
  ];
}

if (isMain(import.meta.url)) {
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
