import { encodeOrThrow, fixtures, MAX_PAYLOAD_BYTES, upTopic } from '@steppelink/protocols';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter, RejectReason } from '@steppelink/hub';
import { apiAs, connect, deviceLogin, endClient, type TestHub, startTestHub, until } from './support/hub.ts';

const T = 1_764_028_800_000;
const BOX = 'stb-150824-104-0007'; // 其其格's set-top box
const NEIGHBOUR = 'stb-150824-104-0008'; // 额尔德尼's box, same grid
const TRACKER = 'trk-patrol-150825-03';

const hb = (n: number) =>
  encodeOrThrow('hb', {
    v: 1,
    id: `${BOX}:hb:${n}`,
    ts: T + n * 300_000,
    agent: '0.1.0',
    uptimeS: 600 + n * 300,
    power: 'mains',
    outbox: 0,
  });

describe('bad input is acknowledged, recorded with its reason, and the hub keeps serving', () => {
  let th: TestHub;
  let box: MqttClient;
  let trk: MqttClient;
  beforeAll(async () => {
    th = await startTestHub();
    box = await connect(th.mqttUrl, deviceLogin(BOX));
    trk = await connect(th.mqttUrl, deviceLogin(TRACKER));
  });
  afterAll(async () => {
    await Promise.all([endClient(box), endClient(trk)]);
    await th.close();
  });

  const lastDeadLetter = async (reason: RejectReason): Promise<DeadLetter | undefined> =>
    (await th.hub.ingest.deadLetters.list({ limit: 1, reason }))[0];

  const cases: {
    name: string;
    topic: string;
    payload: Buffer | string;
    reason: RejectReason;
    detail: RegExp;
  }[] = [
    {
      name: 'broken JSON',
      topic: upTopic(BOX, 'hb'),
      payload: '{"v":1,"id":"x"',
      reason: 'not_json',
      detail: /not JSON/,
    },
    {
      name: 'not UTF-8',
      topic: upTopic(BOX, 'hb'),
      payload: Buffer.from([0xff, 0xfe, 0x7b]),
      reason: 'not_utf8',
      detail: /UTF-8/,
    },
    {
      name: 'a JSON array',
      topic: upTopic(BOX, 'hb'),
      payload: '[1,2]',
      reason: 'not_object',
      detail: /object/,
    },
    {
      name: 'a future schema version',
      topic: upTopic(BOX, 'hb'),
      payload: JSON.stringify({ ...fixtures.hb[0], v: 2 }),
      reason: 'unsupported_version',
      detail: /v=2/,
    },
    {
      name: 'a heartbeat without power source',
      topic: upTopic(BOX, 'hb'),
      payload: JSON.stringify({ v: 1, id: `${BOX}:hb:bad`, ts: T, agent: '0.1.0', uptimeS: 5, outbox: 0 }),
      reason: 'schema',
      detail: /power/,
    },
    {
      name: 'a payload over the size limit',
      topic: upTopic(BOX, 'hb'),
      payload: Buffer.alloc(MAX_PAYLOAD_BYTES + 1024, 0x20),
      reason: 'too_large',
      detail: /limit/,
    },
    {
      name: 'a foreign topic',
      topic: 'home/yurt/stove/temp',
      payload: '21.5',
      reason: 'bad_topic',
      detail: /sl\/v1/,
    },
    {
      name: 'an unknown kind',
      topic: `sl/v1/${BOX}/selfie`,
      payload: '{}',
      reason: 'bad_topic',
      detail: /unknown upstream kind/,
    },
    {
      name: "another device's topic",
      topic: upTopic(NEIGHBOUR, 'sos'),
      payload: encodeOrThrow('sos', fixtures.sos[1]!),
      reason: 'acl',
      detail: /may not publish/,
    },
    {
      name: 'a downlink topic',
      topic: `sl/v1/${NEIGHBOUR}/down/notice`,
      payload: encodeOrThrow('notice', fixtures.notice[0]!),
      reason: 'acl',
      detail: /down/,
    },
    {
      name: 'a unit notice topic',
      topic: 'sl/v1/unit/150824/notice',
      payload: encodeOrThrow('notice', fixtures.notice[0]!),
      reason: 'acl',
      detail: /unit-notice/,
    },
  ];

  let seq = 0;
  for (const c of cases) {
    it(`${c.name} → PUBACK, dead letter '${c.reason}', client stays connected`, async () => {
      const before = th.hub.ingest.deadLetters.counts()[c.reason];
      await box.publishAsync(c.topic, c.payload, { qos: 1 }); // resolves on PUBACK
      expect(box.connected).toBe(true);
      expect(th.hub.ingest.deadLetters.counts()[c.reason]).toBe(before + 1);
      const d = await lastDeadLetter(c.reason);
      expect(d).toMatchObject({ topic: c.topic, deviceId: BOX, clientId: BOX, reason: c.reason });
      expect(d?.detail).toMatch(c.detail);
      expect(d?.excerpt.length).toBeLessThanOrEqual(512);
      // and the box is still served: its next valid heartbeat is accepted
      const n = ++seq;
      await box.publishAsync(upTopic(BOX, 'hb'), hb(n), { qos: 1 });
      expect(th.hub.ingest.inbox.has(BOX, `${BOX}:hb:${n}`)).toBe(true);
    });
  }

  it('nothing rejected reaches the store or is retained', async () => {
    await box.publishAsync(upTopic(NEIGHBOUR, 'hb'), hb(99), { qos: 1, retain: true });
    expect(th.hub.ingest.inbox.has(NEIGHBOUR, `${BOX}:hb:99`)).toBe(false);
    expect(th.hub.ingest.inbox.has(BOX, `${BOX}:hb:99`)).toBe(false);
    expect(await th.hub.telemetry.latestHealth([NEIGHBOUR])).toEqual([]);
  });

  it('a packet far over the limit closes only that connection, and is recorded', async () => {
    const rogue = await connect(th.mqttUrl, deviceLogin(NEIGHBOUR));
    const closed = new Promise<void>((r) => rogue.once('close', () => r()));
    rogue.publish(upTopic(NEIGHBOUR, 'hb'), Buffer.alloc(400 * 1024, 0x41), { qos: 1 });
    await closed;
    rogue.end(true);
    const d = await until(async () =>
      (await th.hub.ingest.deadLetters.list({ limit: 5, reason: 'too_large' })).find(
        (x) => x.deviceId === NEIGHBOUR,
      ),
    );
    expect(d.detail).toMatch(/connection closed/);
    await trk.publishAsync(upTopic(TRACKER, 'hb'), encodeOrThrow('hb', fixtures.hb[1]!), { qos: 1 });
    expect(th.hub.ingest.inbox.has(TRACKER, fixtures.hb[1]!.id)).toBe(true);
  });

  it('a flood of garbage from one box does not stall a patrol tracker', async () => {
    const flood = Array.from({ length: 2_000 }, (_, i) =>
      box.publishAsync(upTopic(BOX, 'pos'), `garbage ${i} {{{`, { qos: 1 }),
    );
    const n = 4242;
    const fix = encodeOrThrow('pos', {
      v: 1,
      id: `${TRACKER}:pos:${n}`,
      ts: T + 5_000,
      t0: T,
      fixes: [[0, 41.8702, 106.9411, null, null, null, null]],
    });
    await trk.publishAsync(upTopic(TRACKER, 'pos'), fix, { qos: 1 });
    expect(th.hub.ingest.inbox.has(TRACKER, `${TRACKER}:pos:${n}`)).toBe(true);
    await Promise.all(flood);
    expect(box.connected).toBe(true);
    expect(th.hub.ingest.deadLetters.counts().not_json).toBeGreaterThanOrEqual(2_000);
  });

  it('the API lists the dead letters and counts for a league admin, only its banner’s for a banner officer', async () => {
    const admin = await apiAs(th.httpUrl, 'liming');
    const all = await admin<{ items: DeadLetter[]; counts: Record<string, number> }>(
      '/api/dead-letters?reason=acl&limit=50',
    );
    expect(all.status).toBe(200);
    expect(all.body.items.some((d) => d.topic === upTopic(NEIGHBOUR, 'sos'))).toBe(true);
    expect(all.body.counts.acl).toBeGreaterThanOrEqual(3);
    const rear = await apiAs(th.httpUrl, 'zhangli'); // Urad Rear Banner: the box is in Urad Middle
    const theirs = await rear<{ items: DeadLetter[] }>('/api/dead-letters?limit=50');
    expect(theirs.body.items.filter((d) => d.deviceId === BOX)).toEqual([]);
  });
});
