/**
 * Connection storm: ~20k set-top boxes connect (authenticated, persistent session, subscribing to
 * their downlink and unit notice topics) to one hub; prints devices held, connect rate and RSS per
 * connection, with Debian's mosquitto's connect rate for the same swarm in the same run.
 */
import { startMosquitto } from '../tests/support/mosquitto.ts';
import { BOXES, rssMb, settle, startBoxHub } from './lib/box-hub.ts';
import { type BenchResult, formatTable, isMain } from './lib/result.ts';
import { Swarm } from './lib/swarm.ts';

const log = (s: string) => console.error(`connections: ${s}`);

export async function run(): Promise<BenchResult[]> {
  const bh = await startBoxHub(BOXES, log);
  const before = rssMb();
  const swarm = new Swarm(2);
  let hubResult: Awaited<ReturnType<Swarm['connect']>>;
  let after: number;
  try {
    log(`connecting ${bh.boxes.length} boxes to the hub`);
    hubResult = await swarm.connect('127.0.0.1', bh.mqttPort, bh.boxes, {
      concurrency: 200,
      onProgress: (c) => log(`${c}/${bh.boxes.length} connected`),
    });
    await settle();
    after = rssMb();
    log(
      `hub: ${hubResult.connected} connected, ${hubResult.failed} failed in ${(hubResult.ms / 1000).toFixed(1)} s${hubResult.firstError ? ` (first error: ${hubResult.firstError})` : ''}`,
    );
  } finally {
    await swarm.close();
    await bh.close();
  }

  const mosq = await startMosquitto({ persistence: false, extraConfig: ['max_connections -1'] });
  const ref = new Swarm(2);
  let mosqResult: Awaited<ReturnType<Swarm['connect']>>;
  try {
    log(`connecting the same ${bh.boxes.length} clients to mosquitto`);
    mosqResult = await ref.connect(
      '127.0.0.1',
      mosq.port,
      bh.boxes.map((b) => ({ id: b.id, topics: b.topics })),
      { concurrency: 200 },
    );
  } finally {
    await ref.close();
    await mosq.close();
  }
  const rate = (hubResult.connected / hubResult.ms) * 1000;
  const mosqRate = (mosqResult.connected / mosqResult.ms) * 1000;
  const perConnKb = ((after - before) * 1024) / Math.max(1, hubResult.connected);
  return [
    {
      name: 'connections',
      value: hubResult.connected,
      unit: 'devices',
      reference: mosqResult.connected,
      ratio: hubResult.connected / Math.max(1, mosqResult.connected),
      target: `≥ ${BOXES} held (20k, less the hub's own files under a 20,000 open-file limit)`,
      ok: hubResult.connected >= BOXES,
    },
    {
      name: 'connect rate',
      value: rate,
      unit: 'conn/s',
      reference: mosqRate,
      ratio: rate / mosqRate,
      target: '≥ 1.0× mosquitto (device secrets: HMAC-SHA-256 under the hub key)',
      ok: rate >= mosqRate,
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
