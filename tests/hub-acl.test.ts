import {
  downTopic,
  downWildcard,
  encodeOrThrow,
  fixtures,
  unitNoticeTopic,
  workerAckTopic,
  workerAlertTopic,
} from '@steppelink/protocols';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, deviceSecret } from '@steppelink/hub/testing';
import {
  connackCode,
  connect,
  rawConnack,
  deviceLogin,
  endClient,
  type TestHub,
  startTestHub,
  until,
} from './support/hub.ts';

const BOX = 'stb-150824-104-0007'; // household of 其其格, grid 150824-104-007-03 (Urad Middle Banner)
const NEIGHBOUR = 'stb-150824-104-0008';
const REAR_BOX = 'stb-150825-201-0021'; // Urad Rear Banner

/** The SUBACK return codes (1 = granted QoS 1, 128 = refused); mqtt.js reports 0x80 as an error with its code. */
const subscribe = (c: MqttClient, topic: string) =>
  c.subscribeAsync(topic, { qos: 1 }).then(
    (g) => g.map((x) => x.qos as number),
    (err: { packet?: { granted?: number[] } }) => {
      if (!err.packet?.granted) throw err;
      return err.packet.granted;
    },
  );

/** Collects messages per topic; `next(topic)` resolves with the first one not yet taken. */
function inbox(c: MqttClient) {
  const got: { topic: string; payload: Buffer }[] = [];
  c.on('message', (topic, payload) => got.push({ topic, payload }));
  return { got, next: (topic: string) => until(() => got.find((m) => m.topic === topic)) };
}

describe('authentication (CONNACK codes of MQTT 3.1.1)', () => {
  let th: TestHub;
  beforeAll(async () => {
    th = await startTestHub();
  });
  afterAll(() => th.close());

  it('accepts a device with its id as username and client id and its secret as password', async () => {
    expect(await connackCode(th.mqttUrl, deviceLogin(BOX))).toBe(0);
  });
  it('refuses an unknown device, a wrong secret and a missing password: 4 bad username or password', async () => {
    expect(await connackCode(th.mqttUrl, { ...deviceLogin('stb-150824-104-9999'), password: 'guess' })).toBe(
      4,
    );
    expect(await connackCode(th.mqttUrl, { ...deviceLogin(BOX), password: deviceSecret(NEIGHBOUR) })).toBe(4);
    expect(await connackCode(th.mqttUrl, { clientId: BOX, username: BOX })).toBe(4);
  });
  it('refuses a disabled device even with the right secret: 5 not authorized', async () => {
    expect(await connackCode(th.mqttUrl, deviceLogin('stb-disabled-0001'))).toBe(5);
  });
  it('refuses a device whose client id is not its device id: 2 identifier rejected', async () => {
    expect(await connackCode(th.mqttUrl, { ...deviceLogin(BOX), clientId: NEIGHBOUR })).toBe(2);
  });
  it('refuses an empty client id with clean session off: 2 [MQTT-3.1.3-8]', async () => {
    // mqtt.js refuses to send this CONNECT, so it goes out byte by byte
    const port = Number(new URL(th.mqttUrl).port);
    expect(
      await rawConnack(port, { clientId: '', clean: false, username: BOX, password: deviceSecret(BOX) }),
    ).toBe(2);
    expect(
      await rawConnack(port, { clientId: BOX, clean: false, username: BOX, password: deviceSecret(BOX) }),
    ).toBe(0);
  });
  it('accepts a grid worker’s login from their phone, but not under a device’s client id', async () => {
    expect(
      await connackCode(th.mqttUrl, {
        clientId: 'p-bater:phone',
        username: 'bater',
        password: DEMO_PASSWORD,
      }),
    ).toBe(0);
    expect(
      await connackCode(th.mqttUrl, { clientId: 'p-bater:phone', username: 'bater', password: 'wrong' }),
    ).toBe(4);
    expect(await connackCode(th.mqttUrl, { clientId: BOX, username: 'bater', password: DEMO_PASSWORD })).toBe(
      2,
    );
  });
  it('counts refusals by code in the metrics', async () => {
    const text = await (await fetch(`${th.httpUrl}/metrics`)).text();
    expect(text).toMatch(/steppelink_mqtt_connect_refused_total\{code="4"\} [1-9]/);
    expect(text).toMatch(/steppelink_mqtt_connect_refused_total\{code="2"\} [1-9]/);
  });
  it('serves a good device while a storm of bad logins goes on', async () => {
    const storm = Array.from({ length: 30 }, (_, i) =>
      connackCode(th.mqttUrl, { ...deviceLogin(NEIGHBOUR), password: `wrong-${i}` }),
    );
    const good = await connect(th.mqttUrl, deviceLogin(BOX));
    await good.publishAsync(
      `sl/v1/${BOX}/hb`,
      encodeOrThrow('hb', { ...fixtures.hb[0]!, id: `${BOX}:hb:storm` }),
      { qos: 1 },
    );
    expect(th.hub.ingest.inbox.has(BOX, `${BOX}:hb:storm`)).toBe(true);
    // five are checked and refused (4); the rest are throttled before any check (3, try later)
    const codes = await Promise.all(storm);
    expect(codes.filter((c) => c === 4)).toHaveLength(5);
    expect(codes.filter((c) => c === 3)).toHaveLength(25);
    await endClient(good);
  });
});

describe('subscriptions and downlink (deny by default)', () => {
  let th: TestHub;
  const clients: MqttClient[] = [];
  beforeAll(async () => {
    th = await startTestHub();
  });
  afterAll(async () => {
    await Promise.all(clients.map(endClient));
    await th.close();
  });
  const track = (c: MqttClient) => {
    clients.push(c);
    return c;
  };

  it('grants a box its own down/# and its units’ notices, and refuses everything else with 0x80', async () => {
    const box = track(await connect(th.mqttUrl, deviceLogin(BOX)));
    expect(await subscribe(box, downWildcard(BOX))).toEqual([1]);
    expect(await subscribe(box, downTopic(BOX, 'notice'))).toEqual([1]);
    for (const unit of ['150824-104-007-03', '150824-104-007', '150824-104', '150824', '150800']) {
      expect(await subscribe(box, unitNoticeTopic(unit))).toEqual([1]);
    }
    for (const refused of [
      downWildcard(NEIGHBOUR),
      unitNoticeTopic('150824-104-007-01'), // the other grid of the same gacha
      unitNoticeTopic('150825'), // the other banner
      'sl/v1/+/down/#',
      'sl/v1/unit/+/notice',
      '#',
      `sl/v1/${BOX}/pos`,
      workerAlertTopic('p-bater'),
    ]) {
      expect(await subscribe(box, refused), refused).toEqual([128]);
    }
    expect(box.connected).toBe(true);
  });

  it('delivers a downlink published while a persistent-session box was offline', async () => {
    let box = await connect(th.mqttUrl, deviceLogin(BOX, { clean: false }));
    await subscribe(box, downWildcard(BOX));
    await subscribe(box, unitNoticeTopic('150824-104-007-03'));
    await endClient(box);
    const config = encodeOrThrow('config', fixtures.config[0]!);
    const notice = encodeOrThrow('notice', fixtures.notice[0]!);
    await th.hub.publisher.publish(downTopic(BOX, 'config'), config);
    await th.hub.publisher.publish(unitNoticeTopic('150824-104-007-03'), notice);
    expect(th.hub.publisher.isConnected(BOX)).toBe(false);
    box = mqtt.connect(th.mqttUrl, deviceLogin(BOX, { clean: false }));
    track(box);
    const rx = inbox(box);
    expect((await rx.next(downTopic(BOX, 'config'))).payload.equals(config)).toBe(true);
    expect((await rx.next(unitNoticeTopic('150824-104-007-03'))).payload.equals(notice)).toBe(true);
    expect(th.hub.publisher.isConnected(BOX)).toBe(true);
  });

  it('never forwards what a device publishes on another device’s downlink', async () => {
    const victim = track(await connect(th.mqttUrl, deviceLogin(REAR_BOX)));
    await subscribe(victim, downWildcard(REAR_BOX));
    const rx = inbox(victim);
    const forger = track(await connect(th.mqttUrl, deviceLogin(NEIGHBOUR)));
    const forged = encodeOrThrow('notice', { ...fixtures.notice[0]!, id: 'forged-1', noticeId: 'forged-1' });
    await forger.publishAsync(downTopic(REAR_BOX, 'notice'), forged, { qos: 1 });
    const real = encodeOrThrow('config', fixtures.config[0]!);
    await th.hub.publisher.publish(downTopic(REAR_BOX, 'config'), real);
    await rx.next(downTopic(REAR_BOX, 'config')); // delivered after the forged one would have been
    expect(rx.got.map((m) => m.topic)).toEqual([downTopic(REAR_BOX, 'config')]);
  });

  it('a worker’s phone over WebSocket gets its own alerts, not a colleague’s, and its acks are ingested', async () => {
    const phone = track(
      await connect(th.wsUrl, {
        clientId: 'p-bater:phone',
        username: 'bater',
        password: DEMO_PASSWORD,
        protocolVersion: 4,
      }),
    );
    expect(await subscribe(phone, workerAlertTopic('p-bater'))).toEqual([1]);
    expect(await subscribe(phone, workerAlertTopic('p-wuyun'))).toEqual([128]);
    const rx = inbox(phone);
    const alert = encodeOrThrow('alert', fixtures.alert[0]!);
    await th.hub.publisher.publish(workerAlertTopic('p-bater'), alert);
    expect((await rx.next(workerAlertTopic('p-bater'))).payload.equals(alert)).toBe(true);
    const ack = fixtures['worker-ack'][0]!;
    await phone.publishAsync(workerAckTopic('p-bater'), encodeOrThrow('worker-ack', ack), { qos: 1 });
    expect(th.hub.ingest.inbox.has('worker/p-bater', ack.id)).toBe(true);
    await phone.publishAsync(
      workerAckTopic('p-wuyun'),
      encodeOrThrow('worker-ack', { ...ack, id: 'wack-forged' }),
      { qos: 1 },
    );
    expect((await th.hub.ingest.deadLetters.list({ limit: 1, reason: 'acl' }))[0]).toMatchObject({
      topic: workerAckTopic('p-wuyun'),
      clientId: 'p-bater:phone',
    });
  });
});
