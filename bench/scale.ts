/**
 * bench/scale: the distributed mode's cost per message. Devices publish QoS 1 to Debian's
 * mosquitto; 1, 2 and then 3 hub processes (STEPPELINK_BROKER=external) consume them through one
 * shared subscription, each committing to its inbox before it acknowledges. Beside them, the
 * embedded hub (aedes in the hub process) takes the same load, and one hub on a single consumer
 * connection (STEPPELINK_BROKER_CONSUMERS=1: one message in flight, as mqtt.js hands a
 * connection's messages on one at a time) shows what the hub's several connections buy. Figures: messages/s of each set-up
 * and the CPU µs per message of the hubs (summed over the hub processes) and of mosquitto.
 *
 * The figure to watch is the hub CPU per message: it says how many devices one hub core carries.
 * This machine has 2 cores, so adding hubs cannot show throughput scaling here (3 hubs, mosquitto
 * and the publishers share them); the output says so. Each hub keeps its own SQLite state in this
 * bench (state on PostgreSQL is measured by the scale test, not here).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto } from '../tests/support/mosquitto.ts';
import { apiAs, spawnHub } from '../tests/support/hub.ts';
import { type ExternalHubProcess, spawnExternalHub } from '../tests/support/external-hubs.ts';
import { SMALL_LEAGUE } from '@steppelink/hub/testing';
import { benchRegistry, ingestBenchDefaults, publish } from './ingest.ts';
import { cpuTimeUs } from './lib/proc.ts';
import { fleet } from './lib/fleet.ts';
import { type BenchResult, formatTable, isMain } from './lib/result.ts';

export const scaleBenchDefaults = {
  devices: 200,
  perDevice: 100, // 20k messages per set-up
  inflight: 10,
  hubs: [1, 2, 3],
  /** consumer connections per hub (STEPPELINK_BROKER_CONSUMERS); undefined: the hub's default */
  consumers: undefined as number | undefined,
};

/** What this bench needs of a hub process, embedded or external. */
type Hub = Pick<ExternalHubProcess, 'child' | 'httpUrl' | 'output' | 'exited'>;

const log = (s: string) => process.stderr.write(`  scale: ${s}\n`);

/** steppelink_messages_accepted_total of one hub (all kinds), read from its /metrics (loopback needs no token). */
async function accepted(hub: Hub): Promise<number> {
  const text = await (await fetch(`${hub.httpUrl}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^steppelink_messages_accepted_total(?:\{[^}]*\})?\s+(\d+(?:\.\d+)?)/gm))
    n += Number(m[1]);
  return n;
}

async function allAccepted(hubs: Hub[], total: number): Promise<void> {
  for (;;) {
    const counts = await Promise.all(hubs.map(accepted));
    if (counts.reduce((a, b) => a + b, 0) >= total) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until a hub's external consumer is connected (its health says so, to a signed-in admin). */
type BrokerHealth = { connection?: string; connections?: unknown[]; peakInFlight?: number };

/**
 * Waits until a hub's external consumer is connected (its health says so, to a signed-in admin);
 * returns a reader of that health.
 */
async function consuming(hub: Hub): Promise<() => Promise<BrokerHealth>> {
  const get = await apiAs(hub.httpUrl, 'liming');
  const read = async () =>
    (await get<{ components?: { broker?: BrokerHealth } }>('/api/health')).body.components?.broker ?? {};
  for (let i = 0; i < 500; i++) {
    if ((await read()).connection === 'connected') return read;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`hub at ${hub.httpUrl} never connected to the broker:\n${hub.output()}`);
}

interface Figures {
  rate: number;
  hubCpuUsPerMsg: number;
  brokerCpuUsPerMsg: number | null;
  perHub: number[];
  /** consumer connections of each hub, and the most messages each had in flight at once */
  connections: number[];
  peakInFlight: number[];
}

async function stop(hubs: Hub[]): Promise<void> {
  await Promise.all(
    hubs.map(async (h) => {
      h.child.kill('SIGTERM');
      await h.exited;
    }),
  );
}

export async function run(options: Partial<typeof scaleBenchDefaults> = {}): Promise<BenchResult[]> {
  const o = { ...scaleBenchDefaults, ...options };
  const devices = fleet(o.devices);
  const total = devices.length * o.perDevice;
  const pub = { ...ingestBenchDefaults, perDevice: o.perDevice, inflight: o.inflight };
  const work = mkdtempSync(join(tmpdir(), 'steppelink-bench-scale-'));
  const registryFile = join(work, 'registry.json');
  // people with their plain demo passwords (hashed by the hub on import): the bench signs in to read health
  writeFileSync(registryFile, JSON.stringify({ ...benchRegistry(devices), people: SMALL_LEAGUE.people }));
  const rows: BenchResult[] = [];
  const results = new Map<string, Figures>();
  try {
    // The embedded hub: aedes in the hub process, the same publishers.
    {
      const hub = await spawnHub({
        STEPPELINK_DATA_DIR: join(work, 'embedded'),
        STEPPELINK_REGISTRY: registryFile,
      });
      try {
        const pid = hub.child.pid as number;
        let cpu0 = 0;
        const r = await publish(hub.mqttUrl, devices, pub, true, async () => {
          cpu0 = cpuTimeUs(pid);
          await allAccepted([hub], total);
        });
        const f: Figures = {
          rate: (total / r.elapsedMs) * 1000,
          hubCpuUsPerMsg: (cpuTimeUs(pid) - cpu0) / total,
          brokerCpuUsPerMsg: null,
          perHub: [total],
          connections: [],
          peakInFlight: [],
        };
        results.set('embedded', f);
        log(
          `embedded hub: ${f.rate.toFixed(0)} msg/s, hub ${f.hubCpuUsPerMsg.toFixed(1)} µs/msg (broker inside)`,
        );
      } finally {
        await stop([hub]);
      }
    }
    // one hub on one connection first (what a hub did before it opened several), then 1, 2, 3 hubs
    const setups = [
      { key: 'external-1-serial', n: 1, consumers: 1 as number | undefined },
      ...o.hubs.map((n) => ({ key: `external-${n}`, n, consumers: o.consumers })),
    ];
    for (const { key, n, consumers } of setups) {
      const broker = await startMosquitto({
        persistence: false,
        extraConfig: ['max_queued_messages 100000'],
      });
      const hubs: Hub[] = [];
      try {
        for (let i = 0; i < n; i++) {
          hubs.push(
            await spawnExternalHub({
              STEPPELINK_DATA_DIR: join(work, `external-${n}-${i}`),
              STEPPELINK_REGISTRY: registryFile,
              STEPPELINK_BROKER_URL: broker.url,
              STEPPELINK_BROKER_USERNAME: `hub-${i}`,
              STEPPELINK_BROKER_PASSWORD: 'bench-anonymous-broker',
              STEPPELINK_BROKER_CLIENT_ID: `bench-hub-${n}-${i}`,
              STEPPELINK_BROKER_GROUP: 'bench',
              ...(consumers ? { STEPPELINK_BROKER_CONSUMERS: String(consumers) } : {}),
            }),
          );
        }
        const health = await Promise.all(hubs.map(consuming));
        const pids = hubs.map((h) => h.child.pid as number);
        const brokerPid = broker.pid;
        let hub0: number[] = [];
        let broker0 = 0;
        const r = await publish(broker.url, devices, pub, false, async () => {
          hub0 = pids.map(cpuTimeUs);
          broker0 = brokerPid ? cpuTimeUs(brokerPid) : Number.NaN;
          await allAccepted(hubs, total);
        });
        const hubCpu = pids.reduce((s, pid, i) => s + cpuTimeUs(pid) - (hub0[i] ?? 0), 0);
        const f: Figures = {
          rate: (total / r.elapsedMs) * 1000,
          hubCpuUsPerMsg: hubCpu / total,
          brokerCpuUsPerMsg: brokerPid ? (cpuTimeUs(brokerPid) - broker0) / total : null,
          perHub: await Promise.all(hubs.map(accepted)),
          connections: [],
          peakInFlight: [],
        };
        for (const read of health) {
          const b = await read();
          f.connections.push(b.connections?.length ?? 0);
          f.peakInFlight.push(b.peakInFlight ?? 0);
        }
        results.set(key, f);
        log(
          `${n} hub${n > 1 ? 's' : ''} behind mosquitto, ${f.connections.join(' / ')} consumer connection(s) each: ${f.rate.toFixed(0)} msg/s, hubs ${f.hubCpuUsPerMsg.toFixed(1)} µs/msg, ` +
            `mosquitto ${f.brokerCpuUsPerMsg?.toFixed(1) ?? '?'} µs/msg; messages per hub ${f.perHub.join(' / ')}; ` +
            `most in flight at once per hub ${f.peakInFlight.join(' / ')}`,
        );
      } finally {
        await stop(hubs);
        await broker.close();
      }
    }
    log(
      'this machine has 2 cores shared by the hubs, mosquitto and the publishers: more hubs cannot show more throughput here; the hub CPU per message is the figure that sizes a deployment',
    );
    const embedded = results.get('embedded') as Figures;
    rows.push({
      name: 'scale.embedded.rate',
      value: embedded.rate,
      unit: 'msg/s',
      reference: null,
      ratio: null,
      target: 'reference',
      ok: null,
    });
    rows.push({
      name: 'scale.embedded.hub_cpu',
      value: embedded.hubCpuUsPerMsg,
      unit: 'µs/msg',
      reference: null,
      ratio: null,
      target: 'reference (broker included)',
      ok: null,
    });
    const serial = results.get('external-1-serial') as Figures;
    rows.push({
      name: 'scale.hubs_1_one_connection.rate',
      value: serial.rate,
      unit: 'msg/s',
      reference: embedded.rate,
      ratio: serial.rate / embedded.rate,
      target: 'report (as before several connections)',
      ok: null,
    });
    rows.push({
      name: 'scale.hubs_1_one_connection.hub_cpu',
      value: serial.hubCpuUsPerMsg,
      unit: 'µs/msg',
      reference: embedded.hubCpuUsPerMsg,
      ratio: serial.hubCpuUsPerMsg / embedded.hubCpuUsPerMsg,
      target: 'report',
      ok: null,
    });
    for (const n of o.hubs) {
      const f = results.get(`external-${n}`) as Figures;
      rows.push({
        name: `scale.hubs_${n}.rate`,
        value: f.rate,
        unit: 'msg/s',
        reference: embedded.rate,
        ratio: f.rate / embedded.rate,
        target: 'report (2 cores)',
        ok: null,
      });
      rows.push({
        name: `scale.hubs_${n}.hub_cpu`,
        value: f.hubCpuUsPerMsg,
        unit: 'µs/msg',
        reference: embedded.hubCpuUsPerMsg,
        ratio: f.hubCpuUsPerMsg / embedded.hubCpuUsPerMsg,
        target: 'report',
        ok: null,
      });
      if (f.brokerCpuUsPerMsg !== null) {
        rows.push({
          name: `scale.hubs_${n}.mosquitto_cpu`,
          value: f.brokerCpuUsPerMsg,
          unit: 'µs/msg',
          reference: null,
          ratio: null,
          target: 'report',
          ok: null,
        });
      }
    }
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const rows = await run();
  process.stdout.write(`${formatTable(rows)}\n`);
  process.exit(0);
}
