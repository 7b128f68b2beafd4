/**
 * bench/scale: the distributed mode's cost per message. Devices publish QoS 1 to Debian's
 * mosquitto; 1, 2 and then 3 hub processes (STEPPELINK_BROKER=external) consume them through one
 * shared subscription, each committing to its inbox before it acknowledges. Beside them, the
 * embedded hub (aedes in the hub process) takes the same load. Figures: messages/s of each set-up
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
async function consuming(hub: Hub): Promise<void> {
  const get = await apiAs(hub.httpUrl, 'liming');
  for (let i = 0; i < 500; i++) {
    const h = await get<{ components?: { broker?: { connection?: string } } }>('/api/health');
    if (h.body.components?.broker?.connection === 'connected') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`hub at ${hub.httpUrl} never connected to the broker:\n${hub.output()}`);
}

interface Figures {
  rate: number;
  hubCpuUsPerMsg: number;
  brokerCpuUsPerMsg: number | null;
  perHub: number[];
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
        };
        results.set('embedded', f);
        log(
          `embedded hub: ${f.rate.toFixed(0)} msg/s, hub ${f.hubCpuUsPerMsg.toFixed(1)} µs/msg (broker inside)`,
        );
      } finally {
        await stop([hub]);
      }
    }
    for (const n of o.hubs) {
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
            }),
          );
        }
        await Promise.all(hubs.map(consuming));
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
        };
        results.set(`external-${n}`, f);
        log(
          `${n} hub${n > 1 ? 's' : ''} behind mosquitto: ${f.rate.toFixed(0)} msg/s, hubs ${f.hubCpuUsPerMsg.toFixed(1)} µs/msg, ` +
            `mosquitto ${f.brokerCpuUsPerMsg?.toFixed(1) ?? '?'} µs/msg; messages per hub ${f.perHub.join(' / ')}`,
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
