/**
 * Connection storm: ~20k set-top boxes connect (authenticated, persistent session, subscribing to
 * their downlink and unit notice topics) to one hub; prints devices held, connect rate and RSS per
 * connection, with Debian's mosquitto's connect rate for the same swarm in the same run.
 *
 * How it measures, and what the ratio means: the swarm (bench/lib/swarm.ts, two node processes)
 * shares this machine's cores with the broker under test, and spends more CPU per connect than
 * mosquitto does (TCP handshake, a socket and a parser per box). So mosquitto's rate is bounded by
 * the swarm, not by mosquitto, and the rate ratio compares (swarm + broker) CPU per connect, which
 * flatters the slower broker. The CPU each side used per connect is therefore reported too, from
 * /proc: the broker process (all its threads; for the hub also its main thread alone) and the
 * swarm. Two mosquitto references run on the same swarm: as the hub is deployed — every box
 * checked against a hashed password file (mosquitto_passwd's default PBKDF2-SHA512) and its
 * subscriptions against an ACL — and anonymous, without either (the reference before #22).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto } from '../tests/support/mosquitto.ts';
import { BOXES, rssMb, settle, startBoxHub } from './lib/box-hub.ts';
import { cpuTimeUs, mainThreadCpuUs } from './lib/proc.ts';
import { type BenchResult, formatTable, isMain } from './lib/result.ts';
import { Swarm } from './lib/swarm.ts';
import type { SwarmDevice } from './lib/swarm-child.ts';

const log = (s: string) => console.error(`connections: ${s}`);

interface Storm {
  connected: number;
  failed: number;
  ms: number;
  /** µs of CPU per connected box: the broker process, its main thread (hub only), the swarm */
  brokerUs: number;
  mainUs: number | null;
  swarmUs: number;
}

/** Connects every box through a fresh swarm, measuring the broker's and the swarm's CPU. */
async function storm(
  port: number,
  boxes: SwarmDevice[],
  brokerCpuUs: () => number,
  mainCpuUs: (() => number) | null,
  label: string,
): Promise<Storm> {
  const swarm = new Swarm(2);
  const swarmCpu = () => swarm.pids().reduce((a, pid) => a + cpuTimeUs(pid), 0);
  try {
    await settle(500); // the swarm's processes have loaded
    const b0 = brokerCpuUs();
    const m0 = mainCpuUs?.() ?? 0;
    const s0 = swarmCpu();
    log(`connecting ${boxes.length} boxes to ${label}`);
    const r = await swarm.connect('127.0.0.1', port, boxes, {
      concurrency: 200,
      onProgress: (c) => log(`${c}/${boxes.length} connected`),
    });
    const per = (us: number) => us / Math.max(1, r.connected);
    const out: Storm = {
      connected: r.connected,
      failed: r.failed,
      ms: r.ms,
      brokerUs: per(brokerCpuUs() - b0),
      mainUs: mainCpuUs ? per(mainCpuUs() - m0) : null,
      swarmUs: per(swarmCpu() - s0),
    };
    log(
      `${label}: ${r.connected} connected, ${r.failed} failed in ${(r.ms / 1000).toFixed(1)} s; CPU per connect ${out.brokerUs.toFixed(0)} µs broker${out.mainUs === null ? '' : ` (${out.mainUs.toFixed(0)} µs main thread)`}, ${out.swarmUs.toFixed(0)} µs swarm${r.firstError ? ` (first error: ${r.firstError})` : ''}`,
    );
    return out;
  } finally {
    await swarm.close();
  }
}

/** mosquitto anonymous, or as the hub is deployed: each box's secret hashed in a password file, an ACL per box. */
async function mosquittoStorm(boxes: SwarmDevice[], authenticated: boolean): Promise<Storm> {
  const dir = mkdtempSync(join(tmpdir(), 'sl-bench-mosq-auth-'));
  const passwords = join(dir, 'passwords');
  const acl = join(dir, 'acl');
  if (authenticated) {
    writeFileSync(passwords, boxes.map((b) => `${b.id}:${b.password ?? ''}\n`).join(''));
    execFileSync('mosquitto_passwd', ['-U', passwords]); // hashes every line (sha512-pbkdf2, its default)
    writeFileSync(acl, ['pattern readwrite sl/v1/%u/#', 'topic read sl/v1/unit/+/notice', ''].join('\n'));
  }
  const mosq = await startMosquitto({
    persistence: false,
    extraConfig: [
      'max_connections -1',
      ...(authenticated ? ['allow_anonymous false', `password_file ${passwords}`, `acl_file ${acl}`] : []),
    ],
  });
  try {
    return await storm(
      mosq.port,
      authenticated ? boxes : boxes.map((b) => ({ id: b.id, topics: b.topics })),
      () => cpuTimeUs(mosq.pid ?? 0),
      null,
      authenticated ? 'mosquitto (password file + ACL)' : 'mosquitto (anonymous)',
    );
  } finally {
    await mosq.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  const bh = await startBoxHub(BOXES, log);
  const before = rssMb();
  let hub: Storm;
  let after: number;
  try {
    hub = await storm(
      bh.mqttPort,
      bh.boxes,
      () => {
        const c = process.cpuUsage();
        return c.user + c.system;
      },
      mainThreadCpuUs,
      'the hub',
    );
    await settle();
    after = rssMb();
  } finally {
    await bh.close();
  }
  const mosqAuth = await mosquittoStorm(bh.boxes, true);
  const mosqAnon = await mosquittoStorm(bh.boxes, false);
  const rate = (s: Storm) => (s.connected / s.ms) * 1000;
  const perConnKb = ((after - before) * 1024) / Math.max(1, hub.connected);
  return [
    {
      name: 'connections',
      value: hub.connected,
      unit: 'devices',
      reference: mosqAuth.connected,
      ratio: hub.connected / Math.max(1, mosqAuth.connected),
      target: `≥ ${BOXES} held (20k, less the hub's own files under a 20,000 open-file limit)`,
      ok: hub.connected >= BOXES,
    },
    {
      name: 'connect rate',
      value: rate(hub),
      unit: 'conn/s',
      reference: rate(mosqAuth),
      ratio: rate(hub) / rate(mosqAuth),
      target: '≥ 1.0× mosquitto with password file + ACL (same secrets, same swarm)',
      ok: rate(hub) >= rate(mosqAuth),
    },
    {
      name: 'connect rate.vs_anonymous',
      value: rate(hub),
      unit: 'conn/s',
      reference: rate(mosqAnon),
      ratio: rate(hub) / rate(mosqAnon),
      target: '≥ 1.0× mosquitto without authentication or ACL',
      ok: rate(hub) >= rate(mosqAnon),
    },
    {
      name: 'connect cpu',
      value: hub.brokerUs,
      unit: 'µs/conn',
      reference: mosqAuth.brokerUs,
      ratio: hub.brokerUs / mosqAuth.brokerUs,
      target: `broker process CPU per connect vs mosquitto (password file + ACL); hub main thread ${hub.mainUs?.toFixed(0)} µs`,
      ok: null,
    },
    {
      name: 'connect cpu.vs_anonymous',
      value: hub.brokerUs,
      unit: 'µs/conn',
      reference: mosqAnon.brokerUs,
      ratio: hub.brokerUs / mosqAnon.brokerUs,
      target: 'broker process CPU per connect vs anonymous mosquitto',
      ok: null,
    },
    {
      name: 'connect cpu.swarm',
      value: hub.swarmUs,
      unit: 'µs/conn',
      reference: mosqAuth.swarmUs,
      ratio: hub.swarmUs / mosqAuth.swarmUs,
      target: 'the load generator, on the same cores: more than mosquitto itself',
      ok: null,
    },
    {
      name: 'rss per connection',
      value: perConnKb,
      unit: 'KB',
      reference: null,
      ratio: null,
      target: '≤ 50',
      ok: perConnKb <= 50,
    },
  ];
}

if (isMain(import.meta.url)) {
  run().then((rows) => {
    console.log(formatTable(rows));
    process.exit(0);
  });
}
