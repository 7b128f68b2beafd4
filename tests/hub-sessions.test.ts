import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Alert,
  downWildcard,
  encodeOrThrow,
  type SosAck,
  upTopic,
  workerAckTopic,
  workerAlertTopic,
} from '@steppelink/protocols';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, SMALL_LEAGUE } from '@steppelink/hub/testing';
import { apiAs, deviceLogin, endClient, type HubProcess, spawnHub, until } from './support/hub.ts';

/**
 * Persistent MQTT sessions (clean=false) outlive the hub process: subscriptions and queued QoS 1
 * messages are in state.db, so a page queued for an offline phone or an sos-ack queued for an
 * offline box reaches it after a SIGKILL or SIGTERM and a restart on the same data dir.
 */
const BOX = 'stb-150824-104-0007'; // 其其格's household; 巴特尔 (p-bater) is its grid worker
const WORKER = 'p-bater';
const phoneLogin: IClientOptions = {
  clientId: 'bater',
  username: 'bater',
  password: DEMO_PASSWORD,
  clean: false,
};

interface Session {
  client: MqttClient;
  sessionPresent: boolean;
  alerts: Alert[];
  acks: SosAck[];
}

/** Connects (message handlers attached before CONNACK, so nothing a resumed session replays is missed). */
function session(url: string, options: IClientOptions): Promise<Session> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
    const s: Session = { client, sessionPresent: false, alerts: [], acks: [] };
    client.on('message', (topic, payload) => {
      if (topic.endsWith('/alert')) s.alerts.push(JSON.parse(payload.toString()) as Alert);
      if (topic.endsWith('/down/sos-ack')) s.acks.push(JSON.parse(payload.toString()) as SosAck);
    });
    client.once('connect', (connack) => {
      s.sessionPresent = connack.sessionPresent;
      resolve(s);
    });
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

let presses = 0;
const press = (c: MqttClient) =>
  c.publishAsync(
    upTopic(BOX, 'sos'),
    encodeOrThrow('sos', {
      v: 1,
      id: `${BOX}:sos:sessions-${Date.now()}-${++presses}`,
      ts: Date.now(),
      action: 'raise',
      category: 'medical',
    }),
    { qos: 1 },
  );

describe('persistent sessions across hub restarts', () => {
  let dir = '';
  let hub: HubProcess | undefined;
  const clients: MqttClient[] = [];
  const env = () => ({
    STEPPELINK_DATA_DIR: join(dir, 'data'),
    STEPPELINK_REGISTRY: join(dir, 'league.json'),
  });
  const start = async () => {
    if (!dir) {
      dir = mkdtempSync(join(tmpdir(), 'steppelink-sessions-'));
      writeFileSync(env().STEPPELINK_REGISTRY, JSON.stringify(SMALL_LEAGUE));
    }
    hub = await spawnHub(env());
    return hub;
  };
  const stop = async (signal: 'SIGKILL' | 'SIGTERM') => {
    const h = hub!;
    h.child.kill(signal);
    const exit = await h.exited;
    if (signal === 'SIGKILL') expect(exit.signal).toBe('SIGKILL');
    else expect(exit.code, h.output()).toBe(0);
    for (const c of clients.splice(0)) c.end(true);
  };
  const keep = (s: Session) => {
    clients.push(s.client);
    return s;
  };

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => endClient(c)));
    if (hub && hub.child.exitCode === null && hub.child.signalCode === null) {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
    hub = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`delivers a page queued for an offline phone after a ${signal} and restart, without a new SUBSCRIBE`, async () => {
      let h = await start();
      const phone = await session(h.mqttUrl, phoneLogin);
      expect((await phone.client.subscribeAsync(workerAlertTopic(WORKER), { qos: 1 }))[0]?.qos).toBe(1);
      await endClient(phone.client);

      const box = keep(await session(h.mqttUrl, deviceLogin(BOX)));
      await box.client.subscribeAsync(downWildcard(BOX), { qos: 1 });
      await press(box.client);
      // the page is handed to the broker before the household's 'notified' sos-ack
      await until(() => box.acks.find((a) => a.state === 'notified'));

      await stop(signal);
      h = await start();
      const back = keep(await session(h.mqttUrl, phoneLogin));
      expect(back.sessionPresent).toBe(true);
      const alert = await until(() => back.alerts[0]);
      expect(alert).toMatchObject({ level: 0, role: 'grid-worker', category: 'medical' });
    });
  }

  it("delivers an sos-ack queued for an offline box after a SIGKILL and restart, on the box's old subscription", async () => {
    let h = await start();
    const phone = keep(await session(h.mqttUrl, phoneLogin));
    await phone.client.subscribeAsync(workerAlertTopic(WORKER), { qos: 1 });
    const box = await session(h.mqttUrl, deviceLogin(BOX, { clean: false }));
    await box.client.subscribeAsync(downWildcard(BOX), { qos: 1 });
    await press(box.client);
    await until(() => box.acks.find((a) => a.state === 'notified'));
    await endClient(box.client); // the box goes offline...
    const alert = await until(() => phone.alerts[0]);
    await phone.client.publishAsync(
      workerAckTopic(WORKER),
      encodeOrThrow('worker-ack', {
        v: 1,
        id: `wack-sessions-${Date.now()}`,
        ts: Date.now(),
        incidentId: alert.incidentId,
      }),
      { qos: 1 },
    );
    // ...and misses the 'acknowledged' sos-ack, which waits in its session
    const get = await apiAs(h.httpUrl, 'bater');
    await until(async () => {
      const r = await get<{ incident: { state: string } }>(`/api/incidents/${alert.incidentId}`);
      return r.body.incident.state === 'acknowledged' ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 300)); // the sos-ack leaves the incidents outbox after the commit

    await stop('SIGKILL');
    h = await start();
    const back = keep(await session(h.mqttUrl, deviceLogin(BOX, { clean: false })));
    expect(back.sessionPresent).toBe(true);
    const ack = await until(() => back.acks.find((a) => a.state === 'acknowledged'));
    expect(ack.by).toMatchObject({ name: '巴特尔' });
  });

  it('keeps subscriptions: after a SIGKILL and restart a resumed phone gets a new page without re-subscribing', async () => {
    let h = await start();
    const phone = keep(await session(h.mqttUrl, phoneLogin));
    await phone.client.subscribeAsync(workerAlertTopic(WORKER), { qos: 1 });

    await stop('SIGKILL');
    h = await start();
    const back = keep(await session(h.mqttUrl, phoneLogin));
    expect(back.sessionPresent).toBe(true);
    const box = keep(await session(h.mqttUrl, deviceLogin(BOX)));
    await press(box.client);
    const alert = await until(() => back.alerts[0]);
    expect(alert).toMatchObject({ level: 0, role: 'grid-worker' });
  });
});
