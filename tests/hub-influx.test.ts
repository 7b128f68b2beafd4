import { encodeOrThrow, fixtures, upTopic } from '@steppelink/protocols';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type InfluxdHandle } from './support/influxd.ts';
import { apiAs, connect, deviceLogin, endClient, type TestHub, startTestHub, until } from './support/hub.ts';

const T = 1_764_028_800_000;
const TRACKER = 'trk-patrol-150825-03';
const BOX = 'stb-150824-104-0007';

describe('ingest into InfluxDB (Debian influxd 1.6)', () => {
  let influx: InfluxdHandle;
  let th: TestHub;
  beforeAll(async () => {
    influx = await startInfluxd();
    th = await startTestHub({ telemetry: { adapter: 'influx', url: influx.url, database: 'steppelink_test' } });
  });
  afterAll(async () => {
    await th?.close();
    await influx?.stop();
  });

  it('stores a patrol track and a heartbeat that the API reads back, redelivery stored once', async () => {
    const trk = await connect(th.mqttUrl, deviceLogin(TRACKER));
    const box = await connect(th.mqttUrl, deviceLogin(BOX));
    const batch = encodeOrThrow('pos', fixtures.pos[0]!);
    await trk.publishAsync(upTopic(TRACKER, 'pos'), batch, { qos: 1 });
    await trk.publishAsync(upTopic(TRACKER, 'pos'), batch, { qos: 1, dup: true });
    await box.publishAsync(upTopic(BOX, 'hb'), encodeOrThrow('hb', fixtures.hb[0]!), { qos: 1 });
    const get = await apiAs(th.httpUrl, 'liming');
    const track = await until(async () => {
      const r = await get<{ points: { t: number; lat: number }[] }>(`/api/devices/${TRACKER}/track?from=${T}&to=${T + 60_000}`);
      return r.body.points.length >= 3 ? r.body.points : undefined;
    });
    expect(track.map((p) => [p.t - T, p.lat])).toEqual([
      [0, 42.41032],
      [10_000, 42.41051],
      [20_000, 42.41066],
    ]);
    const health = await until(async () => (await th.hub.telemetry.latestHealth([BOX]))[0]);
    expect(health).toMatchObject({ deviceId: BOX, power: 'mains', rssi: -97 });
    expect(th.hub.telemetry.health()).toMatchObject({ adapter: 'influx', state: 'up' });
    await Promise.all([endClient(trk), endClient(box)]);
  });
});
