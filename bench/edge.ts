/**
 * bench/edge: the edge agent on a Pi-class budget. Everything but the write rate is measured on
 * the real `steppelink-edge` process (bundled build, DEVICE_NODE_FLAGS as in the systemd unit)
 * against Debian's mosquitto, with a subscriber standing in for the hub:
 *   - outbox write rate (SQLite, sync=full as on the device, and sync=normal)
 *   - drain rate after an outage: 100k queued positions, against a bare mqtt.js QoS 1 publisher
 *     with the same window through the same broker and subscriber (reference)
 *   - SOS latency behind that backlog: POST /sos → the SOS at the subscriber
 *   - RSS and idle CPU at steady state; RSS with simulated sensors; heap per in-memory agent
 * Run directly: `node --import tsx bench/edge.ts`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { upTopic } from '@steppelink/protocols';
import mqtt from 'mqtt';
import {
  createAgent,
  DEVICE_NODE_FLAGS,
  createMemoryOutbox,
  type NewEntry,
  openSqliteOutbox,
} from '@steppelink/edge';
import { tempDir, createFakeLink } from '@steppelink/edge/testing';
import { startMosquitto } from '../tests/support/mosquitto.ts';
import { type BenchResult, formatTable, isMain } from './lib/result.ts';
import { median } from './lib/stats.ts';

export const edgeBenchDefaults = {
  backlog: 100_000, // positions queued during the outage
  window: 32, // QoS 1 publishes in flight (the agent's maxInflight default)
  writesFull: 1_000, // single-message commits with fsync
  writesNormal: 20_000,
  sosSamples: 4, // SOS presses spread over the drain
  settleMs: 3_000, // agent idle before RSS is read
  idleWindowMs: 5_000, // CPU sampled over this window
  simAgents: 1_000,
};
const DEV = 'trk-patrol-150825-03';
const T0 = 1_764_028_800_000;
const EDGE = fileURLToPath(new URL('../edge/', import.meta.url));
const log = (s: string) => process.stderr.write(`  edge: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const row = (
  name: string,
  value: number,
  unit: string,
  target: string,
  ok: boolean | null,
  reference: number | null = null,
): BenchResult => ({
  name,
  value,
  unit,
  reference,
  ratio: reference ? value / reference : null,
  target,
  ok,
});

const posPayload = (n: number) =>
  Buffer.from(
    `{"v":1,"id":"bk-${n}","ts":${T0 + n},"t0":${T0 + n},"src":"gpsd","fixes":[[0,42.4,${(106.8 + n * 0.000004).toFixed(6)},1321.5,0.9,11.2,85]]}`,
  );
const posEntry = (n: number): NewEntry => ({
  kind: 'pos',
  topic: upTopic(DEV, 'pos'),
  msgId: `bk-${n}`,
  payload: posPayload(n),
  createdMs: T0 + n,
});

function writeRate(dir: string, sync: 'full' | 'normal', n: number): number {
  const store = openSqliteOutbox({ path: join(dir, `write-${sync}.db`), sync });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) store.put(posEntry(i));
  const rate = n / ((performance.now() - t0) / 1000);
  store.close();
  return rate;
}

/** The hub's stand-in: counts what arrives per kind, and notes when a message of a kind arrives. */
async function subscriber(url: string) {
  const client = await mqtt.connectAsync(url, { clientId: `bench-sub-${Date.now()}`, clean: true });
  await client.subscribeAsync(`sl/v1/${DEV}/+`, { qos: 1 });
  const counts = new Map<string, number>();
  let firstPosAt = 0;
  let lastPosAt = 0;
  const waiters: { kind: string; n: number; resolve: () => void }[] = [];
  client.on('message', (topic) => {
    const kind = topic.slice(topic.lastIndexOf('/') + 1);
    const n = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, n);
    if (kind === 'pos') {
      lastPosAt = performance.now();
      if (n === 1) firstPosAt = lastPosAt;
    }
    for (const w of waiters.filter((x) => x.kind === kind && n >= x.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  return {
    count: (kind: string) => counts.get(kind) ?? 0,
    rate: (n: number) => (n - 1) / ((lastPosAt - firstPosAt) / 1000),
    reset() {
      counts.clear();
      firstPosAt = 0;
    },
    until: (kind: string, n: number) =>
      new Promise<void>((resolve) => {
        if ((counts.get(kind) ?? 0) >= n) resolve();
        else waiters.push({ kind, n, resolve });
      }),
    close: () => client.endAsync(),
  };
}

/** Bare mqtt.js: the same payloads, QoS 1, same window, no outbox. */
async function referencePublish(url: string, n: number, window: number): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId: 'bench-reference', clean: true });
  const topic = upTopic(DEV, 'pos');
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    let acked = 0;
    const next = () => {
      while (sent < n && sent - acked < window) {
        client.publish(topic, posPayload(sent++), { qos: 1 }, (e) => {
          if (e) return reject(e);
          if (++acked === n) resolve();
          else next();
        });
      }
    };
    next();
  });
  await client.endAsync();
}

function procStat(pid: number): { rssMb: number; cpuTicks: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return { rssMb: rssKb / 1024, cpuTicks: Number(fields[11]) + Number(fields[12]) }; // utime + stime [proc(5)]
}

/** Where the RSS is, from /proc/<pid>/smaps: node binary, malloc heap, other anonymous, libraries. */
function rssBreakdown(pid: number): string {
  const kb = { node: 0, malloc: 0, anon: 0, files: 0 };
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) name = m[1] ?? '';
    else if (line.startsWith('Rss:')) {
      const v = Number(line.split(/\s+/)[1]);
      if (name.endsWith('/node')) kb.node += v;
      else if (name === '[heap]') kb.malloc += v;
      else if (name === '' || name.startsWith('[')) kb.anon += v;
      else kb.files += v;
    }
  }
  return Object.entries(kb)
    .map(([k, v]) => `${k} ${(v / 1024).toFixed(1)}`)
    .join(', ');
}

/** The real CLI with the device's node flags; resolves once it is connected, with its HTTP URL. */
async function startCli(
  dir: string,
  name: string,
  config: Record<string, unknown>,
): Promise<{ child: ChildProcess; http: string }> {
  const cfg = join(dir, `edge-${name}.json`);
  writeFileSync(
    cfg,
    JSON.stringify({ http: { port: 0 }, log: { level: 'info' }, hbIntervalS: 3_600, ...config }),
  );
  const extra = (process.env.EDGE_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean); // for experiments
  const child = spawn(
    process.execPath,
    [...DEVICE_NODE_FLAGS, ...extra, join(EDGE, 'bin/steppelink-edge.mjs'), '--config', cfg],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const http = await new Promise<string>((resolve, reject) => {
    let out = '';
    let url = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      url ||= /"msg":"agent.started".*?"http":"([^"]+)"/.exec(out)?.[1] ?? '';
      if (url && out.includes('"link.online"')) {
        out = '';
        resolve(url);
      }
      if (out.length > 100_000) out = out.slice(-10_000);
    });
    child.once('exit', (c) => reject(new Error(`steppelink-edge exited with ${c}`)));
  });
  return { child, http };
}

const stopCli = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.json());

async function idleFigures(pid: number, o: typeof edgeBenchDefaults) {
  await sleep(o.settleMs);
  const a = procStat(pid);
  const t0 = performance.now();
  await sleep(o.idleWindowMs);
  const b = procStat(pid);
  log(`rss ${b.rssMb.toFixed(1)} MB: ${rssBreakdown(pid)}`);
  const cpuPct = ((b.cpuTicks - a.cpuTicks) / 100 / ((performance.now() - t0) / 1000)) * 100; // USER_HZ = 100
  return { rssMb: Math.max(a.rssMb, b.rssMb), cpuPct };
}

/** Heap per started in-memory agent (fake link, as the simulator would use), in a fresh process. */
function simHeapKb(n: number): number {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--sim-heap-child', String(n)],
    {
      encoding: 'utf8',
    },
  );
  return Number((JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { kbPerAgent: number }).kbPerAgent);
}

async function simHeapChild(n: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  gc();
  const before = process.memoryUsage().heapUsed;
  const agents = [];
  for (let i = 0; i < n; i++) {
    const a = createAgent({
      deviceId: `stb-150824-104-${String(i).padStart(4, '0')}`,
      secret: 'sim-secret',
      hubUrls: ['mqtt://hub.sim:1883'],
      units: ['150824', '150824-104', '150824-104-007'],
      store: createMemoryOutbox(),
      connect: createFakeLink({ autoConnect: true, autoAck: true }).factory,
    });
    await a.start();
    agents.push(a);
  }
  await sleep(100);
  gc();
  process.stdout.write(
    `${JSON.stringify({ kbPerAgent: (process.memoryUsage().heapUsed - before) / 1024 / n })}\n`,
  );
  for (const a of agents) await a.close();
}

export async function run(options: Partial<typeof edgeBenchDefaults> = {}): Promise<BenchResult[]> {
  const o = { ...edgeBenchDefaults, ...options };
  const dir = tempDir('sl-bench-edge-');
  log('building the device bundle (edge/dist/cli.mjs)');
  execFileSync(process.execPath, [join(EDGE, 'scripts/build.mjs')], { stdio: 'inherit' });
  const broker = await startMosquitto({ persistence: false });
  const sub = await subscriber(broker.url);
  try {
    log('outbox writes');
    const full = writeRate(dir.path, 'full', o.writesFull);
    const normal = writeRate(dir.path, 'normal', o.writesNormal);

    log(`reference: bare mqtt.js, ${o.backlog} QoS 1 publishes`);
    await referencePublish(broker.url, o.backlog, o.window);
    await sub.until('pos', o.backlog);
    const reference = sub.rate(o.backlog);
    sub.reset();

    log(`drain: ${o.backlog} positions queued during an outage, SOS pressed ${o.sosSamples} times meanwhile`);
    const outbox = join(dir.path, 'backlog.db');
    const store = openSqliteOutbox({ path: outbox, sync: 'full' });
    for (let c = 0; c < o.backlog; c += 10_000)
      store.putMany(Array.from({ length: Math.min(10_000, o.backlog - c) }, (_, j) => posEntry(c + j)));
    store.close();
    const agent = await startCli(dir.path, 'drain', {
      deviceId: DEV,
      secret: 'bench-secret-0325',
      hubUrls: [broker.url],
      outbox: { path: outbox },
      maxInflight: o.window,
    });
    const sosMs: number[] = [];
    for (let i = 1; i <= o.sosSamples; i++) {
      await sub.until('pos', Math.floor((o.backlog * i) / (o.sosSamples + 1)));
      const t0 = performance.now();
      const sosBefore = sub.count('sos');
      await post(`${agent.http}/sos`, { category: 'injury' });
      await sub.until('sos', sosBefore + 1);
      sosMs.push(performance.now() - t0);
      await post(`${agent.http}/sos/cancel`, {}); // false alarm: cancel (two steps) so the next press is a new SOS
      await post(`${agent.http}/sos/cancel`, { confirm: true });
      while (
        ((await (await fetch(`${agent.http}/sos/status`)).json()) as { state: string }).state !== 'closed'
      )
        await sleep(20);
    }
    await sub.until('pos', o.backlog);
    const drainRate = sub.rate(o.backlog);
    log('steady state after the drain');
    const idle = await idleFigures(agent.child.pid as number, o);
    await stopCli(agent.child);

    log('with simulated grazing sensors (1 s)');
    const busy = await startCli(dir.path, 'sensors', {
      deviceId: 'stb-150824-104-0007',
      secret: 'bench-secret-0007',
      hubUrls: [broker.url],
      units: ['150824', '150824-104'],
      outbox: { path: join(dir.path, 'sensors.db') },
      inputs: [{ type: 'sensor-sim', intervalS: 1, home: { lat: 42.1213, lon: 108.4382 }, tag: '0007' }],
      grazingBatch: { maxReadings: 20, maxAgeS: 5 },
    });
    const working = await idleFigures(busy.child.pid as number, o);
    await stopCli(busy.child);

    log(`heap of ${o.simAgents} in-memory agents`);
    const heapKb = simHeapKb(o.simAgents);
    const sos = median(sosMs);
    const flags = DEVICE_NODE_FLAGS.join(' ');
    return [
      row('edge outbox write', full, 'msg/s', 'sync=full, one fsync per message; ≥ 100', full >= 100),
      row('edge outbox write (sync=normal)', normal, 'msg/s', 'informational', null),
      row(
        'edge drain',
        drainRate,
        'msg/s',
        `${o.backlog} after an outage, ${flags}; ≥ 2000`,
        drainRate >= 2_000,
        reference,
      ),
      row(
        'edge sos latency',
        sos,
        'ms',
        `POST /sos → subscriber, behind the backlog (median of ${sosMs.length}); ≤ 500`,
        sos <= 500,
      ),
      row(
        'edge rss',
        working.rssMb,
        'MB',
        'steady state: link, HTTP, sensors every 1 s (device flags); ≤ 60',
        working.rssMb <= 60,
      ),
      row(
        'edge rss after drain',
        idle.rssMb,
        'MB',
        `idle after the ${o.backlog} drain; ≤ 60`,
        idle.rssMb <= 60,
      ),
      row('edge idle cpu', idle.cpuPct, '%', 'idle, link up; ≤ 1 % of one core', idle.cpuPct <= 1),
      row('edge sim agent heap', heapKb, 'KB/agent', 'simulator, in-memory outbox; ≤ 100', heapKb <= 100),
    ];
  } finally {
    await sub.close();
    await broker.close();
    dir.remove();
  }
}

if (isMain(import.meta.url)) {
  const i = process.argv.indexOf('--sim-heap-child');
  if (i >= 0) await simHeapChild(Number(process.argv[i + 1] ?? edgeBenchDefaults.simAgents));
  else console.log(formatTable(await run()));
}
