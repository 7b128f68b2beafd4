/**
 * Issue #20: a box whose clock is ahead (one press was stamped 2096) must not pin its latest
 * state. Through a real hub and real MQTT clients: the future-stamped heartbeat and fix are kept
 * at hub receive time, the next real fix becomes the latest position, and the device shows the
 * clock-skew flag on the devices API and in /metrics.
 */
import { encodeOrThrow, upTopic } from '@steppelink/protocols';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, connect, deviceLogin, endClient, type TestHub, startTestHub, until } from './support/hub.ts';

const BOX = 'stb-150824-104-0007'; // a household box in Urad Middle Banner (150824)
const OFFICER = 'saren'; // that banner's duty officer
const Y2096 = Date.UTC(2096, 2, 1, 8, 0, 0);

interface Latest {
  items: { deviceId: string; t: number; lat: number; lon: number }[];
}
interface DeviceView {
  id: string;
  health: { t: number } | null;
  position: { t: number; lat: number } | null;
  clockSkew: { aheadMs: number; deviceTs: number; lastAt: number; messages: number } | null;
}

const fix = (id: string, ts: number, lat: number) =>
  encodeOrThrow('pos', { v: 1, id, ts, t0: ts, src: 'gpsd', fixes: [[0, lat, 106.9276, null, 1, 0, null]] });
const heartbeat = (id: string, ts: number) =>
  encodeOrThrow('hb', { v: 1, id, ts, agent: '0.1.0', uptimeS: 600, power: 'mains', outbox: 0 });

describe('device clock plausibility over real MQTT and HTTP', () => {
  let th: TestHub;
  let box: MqttClient;
  beforeAll(async () => {
    th = await startTestHub();
    box = await connect(th.mqttUrl, deviceLogin(BOX));
  });
  afterAll(async () => {
    await endClient(box);
    await th.close();
  });

  it('keeps a 2096-stamped heartbeat and fix at receive time, lets the next real fix be latest, flags the box', async () => {
    const get = await apiAs(th.httpUrl, OFFICER);
    const before = Date.now();
    await box.publishAsync(upTopic(BOX, 'hb'), heartbeat(`${BOX}:hb:2096`, Y2096), { qos: 1 });
    await box.publishAsync(upTopic(BOX, 'pos'), fix(`${BOX}:pos:2096`, Y2096, 41.5), { qos: 1 });
    await until(() => (th.hub.ingest.health().backlog === 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 20)); // the real fix is stamped after the bogus one was received
    const now = Date.now();
    await box.publishAsync(upTopic(BOX, 'pos'), fix(`${BOX}:pos:real`, now, 41.8611), { qos: 1 });

    // once the real fix is stored, it is the latest position (not the 2096 one)
    await until(async () =>
      (await th.hub.telemetry.track({ deviceId: BOX, from: now, to: now })).length === 1 ? true : undefined,
    );
    const latest = await get<Latest>('/api/positions/latest');
    expect(latest.body.items.find((p) => p.deviceId === BOX)).toMatchObject({ t: now, lat: 41.8611 });

    const one = await until(async () => {
      const r = await get<DeviceView>(`/api/devices/${BOX}`);
      return r.body.clockSkew ? r.body : undefined;
    });
    expect(one.position).toMatchObject({ t: now, lat: 41.8611 });
    // the heartbeat was stored at hub receive time, not in 2096
    expect(one.health?.t).toBeGreaterThanOrEqual(before);
    expect(one.health?.t).toBeLessThanOrEqual(Date.now());
    expect(one.clockSkew?.messages).toBe(2);
    expect(one.clockSkew?.deviceTs).toBe(Y2096);
    expect(one.clockSkew?.aheadMs).toBeGreaterThan(Y2096 - Date.now() - 60_000);
    expect(one.clockSkew?.lastAt).toBeGreaterThanOrEqual(before);

    const list = await get<{ items: DeviceView[] }>('/api/devices?unit=150824-104&limit=1000');
    expect(list.body.items.find((d) => d.id === BOX)?.clockSkew).toMatchObject({ deviceTs: Y2096 });

    // the 2096 fix is in the track at receive time, not in 2096
    const track = await get<{ points: { t: number; lat: number }[] }>(
      `/api/devices/${BOX}/track?from=${before}&to=${Date.now()}`,
    );
    expect(track.body.points.map((p) => p.lat)).toEqual([41.5, 41.8611]);

    const metrics = await (await fetch(`${th.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/steppelink_messages_future_stamped_total\{kind="pos"\} 1\b/);
    expect(metrics).toMatch(/steppelink_messages_future_stamped_total\{kind="hb"\} 1\b/);
  }, 30_000);
});

describe('the clock-skew flag clears once the box sends plausible times again', () => {
  let th: TestHub;
  let box: MqttClient;
  beforeAll(async () => {
    // 300 ms instead of 10 minutes, so the test can wait it out
    th = await startTestHub({ ingest: { clockSkewClearAfterMs: 300 } });
    box = await connect(th.mqttUrl, deviceLogin(BOX));
  });
  afterAll(async () => {
    await endClient(box);
    await th.close();
  });

  it('raises on a 2096 heartbeat, ignores old store-and-forward times, clears after the quiet period', async () => {
    const get = await apiAs(th.httpUrl, OFFICER);
    const skew = async () => (await get<DeviceView>(`/api/devices/${BOX}`)).body.clockSkew;
    await box.publishAsync(upTopic(BOX, 'hb'), heartbeat(`${BOX}:hb:a`, Y2096), { qos: 1 });
    await until(async () => ((await skew()) ? true : undefined));
    // a heartbeat queued a week ago during an outage is plausible, but too soon to clear the flag
    const weekAgo = Date.now() - 7 * 86_400_000;
    await box.publishAsync(upTopic(BOX, 'hb'), heartbeat(`${BOX}:hb:b`, weekAgo), { qos: 1 });
    await until(() => (th.hub.ingest.health().backlog === 0 ? true : undefined));
    expect(await skew()).toMatchObject({ messages: 1, deviceTs: Y2096 });
    // the latest heartbeat is still the 2096 one, kept at its receive time: the old one is older
    const [latest] = await th.hub.telemetry.latestHealth([BOX]);
    expect(latest?.msgId).toBe(`${BOX}:hb:a`);
    expect(latest?.t).toBeGreaterThan(weekAgo);
    expect(latest?.t).toBeLessThanOrEqual(Date.now());
    await new Promise((r) => setTimeout(r, 350));
    await box.publishAsync(upTopic(BOX, 'hb'), heartbeat(`${BOX}:hb:c`, Date.now()), { qos: 1 });
    await until(async () => ((await skew()) === null ? true : undefined));
    expect(th.hub.ingest.health().clockSkewedDevices).toBe(0);
  }, 30_000);
});
