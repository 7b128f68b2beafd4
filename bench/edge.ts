/**
 * bench/edge: the edge agent on a Pi-class budget.
 *   - outbox write rate (SQLite, sync=full as on the device, and sync=normal)
 *   - drain rate after an outage: 100k queued positions through mosquitto, against a bare mqtt.js
 *     QoS 1 publisher with the same window on the same broker (reference)
 *   - SOS latency (press → PUBACK) while that backlog drains
 *   - RSS and idle CPU of the real `steppelink-edge` process at steady state
 *   - heap per in-memory agent, for the simulator running thousands of them
 * Run directly: `node --import tsx bench/edge.ts`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { upTopic } from '@steppelink/protocols';
import mqtt from 'mqtt';
import { createAgent } from '../edge/src/agent.ts';
import { tempDir } from '../edge/src/e2e/harness.ts';
import { createMemoryOutbox } from '../edge/src/outbox/memory.ts';
import type { NewEntry } from '../edge/src/outbox/port.ts';
import { openSqliteOutbox } from '../edge/src/outbox/sqlite.ts';
import { createFakeLink } from '../edge/src/testing/fake-link.ts';
import { startMosquitto } from '../tests/support/mosquitto.ts';
import { type BenchResult, formatTable, isMain } from './lib/result.ts';
import { median } from './lib/stats.ts';

export const edgeBenchDefaults = {
  backlog: 100_000, // positions queued during the outage
  window: 32, // QoS 1 publishes in flight (the agent's maxInflight default)
  writesFull: 1_000, // single-message commits with fsync
  writesNormal: 20_000,
  sosSamples: 5, // SOS presses spread over the drain
  settleMs: 3_000, // child agent running before RSS is read
  idleWindowMs: 5_000, // CPU sampled over this window
  simAgents: 1_000,
};
const DEV = 'trk-patrol-150825-03';
const T0 = 1_764_028_800_000;
const log = (s: string) => process.stderr.write(`  edge: ${s}\n`);
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

/** Bare mqtt.js: the same payloads, QoS 1, same window, no outbox. */
async function referenceRate(url: string, n: number, window: number): Promise<number> {
  const client = await mqtt.connectAsync(url, { clientId: 'bench-reference', clean: true });
  const topic = upTopic(DEV, 'pos');
  const t0 = performance.now();
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
  const rate = n / ((performance.now() - t0) / 1000);
  await client.endAsync();
  return rate;
}

async function drain(
  dir: string,
  url: string,
  o: typeof edgeBenchDefaults,
): Promise<{ rate: number; sosMs: number[] }> {
  const store = openSqliteOutbox({ path: join(dir, 'backlog.db'), sync: 'full' });
  for (let c = 0; c < o.backlog; c += 10_000)
    store.putMany(Array.from({ length: Math.min(10_000, o.backlog - c) }, (_, j) => posEntry(c + j)));
  const agent = createAgent({
    deviceId: DEV,
    secret: 'bench-secret',
    hubUrls: [url],
    store,
    settings: { maxInflight: o.window, hbIntervalS: 3_600 },
  });
  const pressedAt = new Map<string, number>();
  const sosMs: number[] = [];
  let pos = 0;
  const step = Math.floor(o.backlog / (o.sosSamples + 1));
  let t0 = 0;
  const done = new Promise<void>((resolve) => {
    agent.on('acked', (a) => {
      if (a.kind === 'sos') {
        const at = pressedAt.get(a.msgId);
        if (at !== undefined) sosMs.push(performance.now() - at);
        return;
      }
      if (a.kind !== 'pos') return;
      pos++;
      if (pos === 1) t0 = performance.now();
      if (pos % step === 0 && pressedAt.size < o.sosSamples) {
        const id = `sos-bench-${pos}`;
        pressedAt.set(id, performance.now());
        agent.submit('sos', { v: 1, id, ts: Date.now(), action: 'raise', category: 'injury' });
      }
      if (pos === o.backlog) resolve();
    });
  });
  await agent.start();
  await done;
  const rate = (o.backlog - 1) / ((performance.now() - t0) / 1000);
  await agent.close();
  store.close();
  return { rate, sosMs };
}

function procStat(pid: number): { rssMb: number; cpuTicks: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime [proc(5)]
  return { rssMb: rssKb / 1024, cpuTicks };
}

const BIN = fileURLToPath(new URL('../edge/bin/steppelink-edge.mjs', import.meta.url));

/** The real CLI process, idle or with simulated sensors: RSS at steady state and CPU over a window. */
async function childFigures(dir: string, url: string, withSensors: boolean, o: typeof edgeBenchDefaults) {
  const cfg = join(dir, `edge-${withSensors ? 'sensors' : 'idle'}.json`);
  writeFileSync(
    cfg,
    JSON.stringify({
      deviceId: withSensors ? 'stb-150824-104-0007' : 'stb-150824-104-0008',
      secret: 'bench-secret-0007',
      hubUrls: [url],
      units: ['150824', '150824-104'],
      outbox: { path: join(dir, `child-${withSensors}.db`) },
      http: { port: 0 },
      log: { level: 'warn' },
      inputs: withSensors
        ? [{ type: 'sensor-sim', intervalS: 1, home: { lat: 42.1213, lon: 108.4382 }, tag: '0007' }]
        : [],
      grazingBatch: { maxReadings: 20, maxAgeS: 5 },
    }),
  );
  const child: ChildProcess = spawn(process.execPath, [BIN, '--config', cfg, '--log-level', 'info'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('"link.online"')) resolve();
      });
      child.once('exit', (c) => reject(new Error(`steppelink-edge exited with ${c}`)));
    });
    await new Promise((r) => setTimeout(r, o.settleMs));
    const pid = child.pid as number;
    const a = procStat(pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, o.idleWindowMs));
    const b = procStat(pid);
    const seconds = (performance.now() - t0) / 1000;
    const cpuPct = ((b.cpuTicks - a.cpuTicks) / 100 / seconds) * 100; // USER_HZ = 100 on Linux
    return { rssMb: Math.max(a.rssMb, b.rssMb), cpuPct };
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

/** Heap per started in-memory agent (fake link, as the simulator would use), in a fresh process. */
async function simHeapKb(n: number): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', self, '--sim-heap-child', String(n)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((r) => child.once('exit', r));
  return Number(JSON.parse(out.trim().split('\n').at(-1) ?? '{}').kbPerAgent);
}

async function simHeapChild(n: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  gc();
  const before = process.memoryUsage().heapUsed;
  const agents = [];
  for (let i = 0; i < n; i++) {
    const link = createFakeLink({ autoConnect: true, autoAck: true });
    const a = createAgent({
      deviceId: `stb-150824-104-${String(i).padStart(4, '0')}`,
      secret: 'sim-secret',
      hubUrls: ['mqtt://hub.sim:1883'],
      units: ['150824', '150824-104', '150824-104-007'],
      store: createMemoryOutbox(),
      connect: link.factory,
    });
    await a.start();
    agents.push(a);
  }
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const kbPerAgent = (process.memoryUsage().heapUsed - before) / 1024 / n;
  process.stdout.write(`${JSON.stringify({ kbPerAgent })}\n`);
  for (const a of agents) await a.close();
}

export async function run(options: Partial<typeof edgeBenchDefaults> = {}): Promise<BenchResult[]> {
  const o = { ...edgeBenchDefaults, ...options };
  const dir = tempDir('sl-bench-edge-');
  const broker = await startMosquitto({ persistence: false });
  try {
    log('outbox writes');
    const full = writeRate(dir.path, 'full', o.writesFull);
    const normal = writeRate(dir.path, 'normal', o.writesNormal);
    log(`reference: bare mqtt.js, ${o.backlog} QoS 1 publishes`);
    const reference = await referenceRate(broker.url, o.backlog, o.window);
    log(`drain: ${o.backlog} queued positions, ${o.sosSamples} SOS presses during it`);
    const d = await drain(dir.path, broker.url, o);
    log('steppelink-edge process: idle, then with simulated sensors');
    const idle = await childFigures(dir.path, broker.url, false, o);
    const busy = await childFigures(dir.path, broker.url, true, o);
    log(`heap of ${o.simAgents} in-memory agents`);
    const heapKb = await simHeapKb(o.simAgents);
    const sos = median(d.sosMs);
    return [
      row('edge outbox write', full, 'msg/s', 'sync=full, one fsync per message; ≥ 100', full >= 100),
      row('edge outbox write (sync=normal)', normal, 'msg/s', 'informational', null),
      row(
        'edge drain',
        d.rate,
        'msg/s',
        `${o.backlog} after an outage; ≥ 2000 and ≥ 0.5× bare mqtt.js`,
        d.rate >= 2_000 && d.rate >= 0.5 * reference,
        reference,
      ),
      row(
        'edge sos latency',
        sos,
        'ms',
        `press → PUBACK behind the backlog (median of ${d.sosMs.length}); ≤ 500`,
        sos <= 500,
      ),
      row('edge rss', idle.rssMb, 'MB', '≤ 60', idle.rssMb <= 60),
      row('edge rss (sensors)', busy.rssMb, 'MB', 'sensor-sim at 1 s; ≤ 60', busy.rssMb <= 60),
      row('edge idle cpu', idle.cpuPct, '%', '≤ 1 % of one core', idle.cpuPct <= 1),
      row(
        'edge sim agent heap',
        heapKb,
        'KB/agent',
        'simulator: ≤ 100 KB per in-memory agent',
        heapKb <= 100,
      ),
    ];
  } finally {
    await broker.close();
    dir.remove();
  }
}

if (isMain(import.meta.url)) {
  const i = process.argv.indexOf('--sim-heap-child');
  if (process.argv.includes('--drain-only')) {
    const dir = tempDir('sl-bench-edge-');
    const broker = await startMosquitto({ persistence: false });
    const d = await drain(dir.path, broker.url, edgeBenchDefaults);
    console.log(d.rate.toFixed(0), 'msg/s; sos', d.sosMs.map((x) => x.toFixed(1)).join(' '));
    await broker.close();
    dir.remove();
  } else if (i >= 0) {
    await simHeapChild(Number(process.argv[i + 1] ?? edgeBenchDefaults.simAgents));
  } else {
    console.log(formatTable(await run()));
  }
}
