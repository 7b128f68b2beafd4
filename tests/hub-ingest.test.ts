import { encodeOrThrow, fixtures, upTopic } from '@steppelink/protocols';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryWorkerOf } from '@steppelink/hub/internals';
import { apiAs, connect, deviceLogin, endClient, type TestHub, startTestHub, until } from './support/hub.ts';

const T = 1_764_028_800_000; // 2025-11-25 08:00 Asia/Shanghai
const TRACKER = 'trk-patrol-150825-03';
const BOX = 'stb-150824-104-0007';
const RELAY = 'col-150824-104-0007-a';

/** A patrol tracker's batch of fixes along the border road near Chaogewenduer. */
const lat = (base: number, n: number) => Number((base + n * 0.001).toFixed(6));
const patrolBatch = (n: number) =>
  encodeOrThrow('pos', {
    v: 1,
    id: `${TRACKER}:pos:${n}`,
    ts: T + n * 30_000 + 1_000,
    t0: T + n * 30_000,
    src: 'gpsd',
    fixes: [
      [0, lat(41.8611, n), 106.9276, 1321.5, 0.9, 11.2, 84.5],
      [10_000, lat(41.8612, n), 106.9289, 1322.1, 0.9, 11.4, 85],
      [20_000, lat(41.8613, n), 106.9301, null, 1.1, 11, 86.2],
    ],
  });

describe('ingest over real MQTT', () => {
  let th: TestHub;
  const clients: MqttClient[] = [];
  beforeAll(async () => {
    th = await startTestHub();
  });
  afterAll(async () => {
    await Promise.all(clients.map(endClient));
    await th.close();
  });
  const device = async (id: string, extra = {}) => {
    const c = await connect(th.mqttUrl, deviceLogin(id, extra));
    clients.push(c);
    return c;
  };

  it('stores a patrol tracker’s positions and a set-top box’s heartbeat', async () => {
    const trk = await device(TRACKER);
    const box = await device(BOX);
    await trk.publishAsync(upTopic(TRACKER, 'pos'), patrolBatch(1), { qos: 1 });
    await box.publishAsync(upTopic(BOX, 'hb'), encodeOrThrow('hb', fixtures.hb[0]!), { qos: 1 });
    // PUBACK means durable in the inbox; the store gets it right after.
    expect(th.hub.ingest.inbox.has(TRACKER, `${TRACKER}:pos:1`)).toBe(true);
    const track = await until(async () => {
      const t = await th.hub.telemetry.track({ deviceId: TRACKER, from: T, to: T + 3_600_000 });
      return t.length === 3 ? t : undefined;
    });
    expect(track.map((p) => p.lat)).toEqual([41.8621, 41.8622, 41.8623]);
    expect(track[0]).toMatchObject({
      alt: 1321.5,
      hdop: 0.9,
      speed: 11.2,
      course: 84.5,
      msgId: `${TRACKER}:pos:1`,
    });
    const health = await until(async () => (await th.hub.telemetry.latestHealth([BOX]))[0]);
    expect(health).toMatchObject({ deviceId: BOX, power: 'mains', rssi: -97, outbox: 0, agent: '0.1.0' });
    // and through the API, as the border banner's duty officer sees it
    const get = await apiAs(th.httpUrl, 'zhangli');
    const api = await get<{ points: { t: number; lat: number; lon: number }[] }>(
      `/api/devices/${TRACKER}/track?from=${T}&to=${T + 3_600_000}`,
    );
    expect(api.status).toBe(200);
    expect(api.body.points.map((p) => p.lat)).toEqual([41.8621, 41.8622, 41.8623]);
    const latest = await get<{ items: { deviceId: string; lat: number }[] }>('/api/positions/latest');
    expect(latest.body.items.find((p) => p.deviceId === TRACKER)?.lat).toBe(41.8623);
  });

  it('stores collar fixes relayed in grazing readings as the animal’s track', async () => {
    const relay = await device(RELAY);
    await relay.publishAsync(upTopic(RELAY, 'grazing'), encodeOrThrow('grazing', fixtures.grazing[0]!), {
      qos: 1,
    });
    const readings = await until(async () => {
      const g = await th.hub.telemetry.grazing({ deviceId: RELAY, from: T - 1, to: T + 60_000 });
      return g.length === 4 ? g : undefined;
    });
    expect(readings.map((r) => r.type)).toEqual(['collar', 'water', 'gate', 'motion']);
    expect(readings[2]).toMatchObject({ sensorId: 'gate-0007', values: { headCount: 312, direction: 'in' } });
    const sheep = await th.hub.telemetry.track({
      deviceId: RELAY,
      subject: 'col-0007-a',
      from: T - 1,
      to: T + 1,
    });
    expect(sheep).toMatchObject([{ lat: 42.1302, lon: 108.4511, subject: 'col-0007-a' }]);
  });

  it('stores a redelivered message once: dup flag, and again after a reconnect', async () => {
    const before = await th.hub.metrics.duplicates.get();
    const dupCount = () => before.values.reduce((n, v) => n + v.value, 0);
    const baseline = dupCount();
    let trk = await device(TRACKER);
    await trk.publishAsync(upTopic(TRACKER, 'pos'), patrolBatch(7), { qos: 1 });
    await trk.publishAsync(upTopic(TRACKER, 'pos'), patrolBatch(7), { qos: 1, dup: true });
    await endClient(trk);
    trk = await device(TRACKER);
    await trk.publishAsync(upTopic(TRACKER, 'pos'), patrolBatch(7), { qos: 1 });
    const dups = (await th.hub.metrics.duplicates.get()).values.reduce((n, v) => n + v.value, 0);
    expect(dups - baseline).toBe(2);
    const rows = th.hub.db
      .prepare('SELECT count(*) FROM inbox WHERE sender = ? AND msg_id = ?')
      .pluck()
      .get(TRACKER, `${TRACKER}:pos:7`);
    expect(rows).toBe(1);
    const track = await until(async () => {
      const t = await th.hub.telemetry.track({
        deviceId: TRACKER,
        from: T + 7 * 30_000,
        to: T + 7 * 30_000 + 20_000,
      });
      return t.length > 0 ? t : undefined;
    });
    expect(track).toHaveLength(3);
  });
  it('keeps storing when the telemetry writer thread dies: the next write starts a new one', async () => {
    const trk = await device(TRACKER);
    const from = T + 1_000 * 30_000;
    await trk.publishAsync(upTopic(TRACKER, 'pos'), patrolBatch(1_000), { qos: 1 });
    await until(async () =>
      (await th.hub.telemetry.track({ deviceId: TRACKER, from, to: from + 3_600_000 })).length === 3
        ? true
        : undefined,
    );
    const writer = telemetryWorkerOf(th.hub.telemetry);
    expect(writer).toBeDefined();
    await writer!.terminate();
    for (let n = 1_001; n <= 1_005; n++)
      await trk.publishAsync(upTopic(TRACKER, 'pos'), patrolBatch(n), { qos: 1 });
    const track = await until(async () => {
      const t = await th.hub.telemetry
        .track({ deviceId: TRACKER, from, to: from + 3_600_000 })
        .catch(() => []);
      return t.length === 18 ? t : undefined;
    });
    expect(new Set(track.map((p) => p.msgId)).size).toBe(6);
    expect(telemetryWorkerOf(th.hub.telemetry)).not.toBe(writer);
  });
});
