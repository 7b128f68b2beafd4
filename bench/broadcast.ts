/**
 * Broadcast fan-out: one league-wide notice to ~20k connected set-top boxes. Prints the time from
 * creating the notice to the last box receiving it and the hub memory it took, with Debian's
 * mosquitto relaying one QoS 1 message to the same swarm in the same run as the reference.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { startMosquitto } from '../tests/support/mosquitto.ts';
import { BOXES, rssMb, settle, startBoxHub } from './lib/box-hub.ts';
import { type BenchResult, formatTable, isMain } from './lib/result.ts';
import { Swarm } from './lib/swarm.ts';

const log = (s: string) => console.error(`broadcast: ${s}`);
const now = () => performance.timeOrigin + performance.now();

export async function run(): Promise<BenchResult[]> {
  const bh = await startBoxHub(BOXES, log);
  const swarm = new Swarm(2);
  let fanoutMs: number;
  let received: number;
  let memMb: number;
  try {
    log(`connecting ${bh.boxes.length} boxes`);
    const c = await swarm.connect('127.0.0.1', bh.mqttPort, bh.boxes, {
      concurrency: 200,
      onProgress: (n) => log(`${n} connected`),
    });
    if (c.connected < bh.boxes.length) log(`only ${c.connected} connected (${c.firstError})`);
    await settle();
    const marker = `bench-${randomUUID()}`;
    const before = rssMb();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb());
    }, 20);
    const done = swarm.expect(marker);
    const t0 = now();
    await bh.broadcast.createNotice(
      {
        targets: ['150800'],
        priority: 'emergency',
        durationHours: 24,
        texts: {
          zh: '暴雪红色预警：全盟未来48小时有特大暴雪，请立即转移牲畜，储备草料燃料。',
          mn: 'ᠴᠠᠰᠤᠨ ᠵᠤᠳ ᠤᠨ ᠤᠯᠠᠭᠠᠨ ᠰᠡᠷᠡᠮᠵᠢᠯᠡᠬᠦᠯᠦᠯ',
          en: `Red blizzard warning for the whole league in the next 48 hours. ${marker}`,
        },
      },
      { personId: 'p-150800-duty-1', unitId: '150800', name: '盟指挥平台' },
    );
    const r = await done;
    clearInterval(sampler);
    fanoutMs = r.lastAt - t0;
    received = r.count;
    memMb = peak - before;
    log(`hub: ${received} boxes got it in ${fanoutMs.toFixed(0)} ms; +${memMb.toFixed(1)} MB RSS at peak`);
  } finally {
    await swarm.close();
    await bh.close();
  }

  const mosq = await startMosquitto({ persistence: false, extraConfig: ['max_connections -1'] });
  const ref = new Swarm(2);
  let refMs: number;
  try {
    await ref.connect(
      '127.0.0.1',
      mosq.port,
      bh.boxes.map((b) => ({ id: b.id, topics: b.topics })),
      { concurrency: 200 },
    );
    await settle();
    const marker = `bench-${randomUUID()}`;
    const pub = await mqtt.connectAsync(mosq.url, { clientId: 'bench-publisher' });
    const done = ref.expect(marker);
    const t0 = now();
    await pub.publishAsync('sl/v1/unit/150800/notice', JSON.stringify({ marker, pad: 'x'.repeat(600) }), {
      qos: 1,
    });
    const r = await done;
    refMs = r.lastAt - t0;
    await pub.endAsync();
    log(`mosquitto: ${r.count} clients got it in ${refMs.toFixed(0)} ms`);
  } finally {
    await ref.close();
    await mosq.close();
  }
  return [
    {
      name: 'broadcast',
      value: fanoutMs,
      unit: `ms to ${received} boxes`,
      reference: refMs,
      ratio: fanoutMs / refMs,
      target: '≤ 5000 ms',
      ok: received >= BOXES && fanoutMs <= 5000,
    },
    {
      name: 'broadcast memory',
      value: memMb,
      unit: 'MB',
      reference: null,
      ratio: null,
      target: '≤ 200',
      ok: memMb <= 200,
    },
  ];
}

if (isMain(import.meta.url)) {
  run().then((rows) => {
    console.log(formatTable(rows));
    process.exit(0);
  });
}
