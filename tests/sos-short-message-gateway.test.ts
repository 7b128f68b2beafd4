import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Alert, downWildcard, encodeOrThrow, upTopic, workerAlertTopic } from '@steppelink/protocols';
import {
  encodeSosShort,
  parseAckSms,
  type SosShort,
  shortMessageKey,
  toSmsText,
  verifyAckShort,
} from '@steppelink/protocols/short-message';
import { createStandardModules, GATEWAY_PATH, SIGNATURE_HEADER, signGatewayPost } from '@steppelink/hub';
import { DEMO_PASSWORD, deviceSecret } from '@steppelink/hub/testing';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  apiToken,
  connect,
  deviceLogin,
  endClient,
  type TestHub,
  startTestHub,
  until,
} from './support/hub.ts';

const BOX = 'stb-150824-104-0007'; // 其其格's household (Mongolian), grid 150824-104-007-03, worker 巴特尔
const BOX_SIM = '+8614700000007';
const GATEWAY_SECRET = 'gw-secret-for-tests-0123456789';
const ulid = (n: number) => `01KCB${String(n).padStart(21, '0')}`;

interface Outbound {
  to: string;
  path: string;
  body: string;
  text: string;
  sosId: string;
  state: string;
}

/** The SMS gateway's outbound side: a local HTTP receiver that takes every message (HTTP 200). */
async function smsReceiver(): Promise<{
  url: string;
  got: Outbound[];
  close(): Promise<void>;
  server: Server;
}> {
  const got: Outbound[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      got.push(JSON.parse(body) as Outbound);
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/send`,
    got,
    server,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('inbound SOS by SMS (real hub, signed webhook, real MQTT, outbound SMS receiver)', () => {
  let th: TestHub;
  let out: Awaited<ReturnType<typeof smsReceiver>>;
  const clients: MqttClient[] = [];

  beforeEach(async () => {
    out = await smsReceiver();
    const m = createStandardModules({
      rulesTick: false,
      incidents: { jobs: false },
      shortMessage: { gatewaySecret: GATEWAY_SECRET, outbound: { url: out.url } },
    });
    th = await startTestHub({ modules: m.list });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => endClient(c)));
    await th.close();
    await out.close();
  });

  const post = (payload: unknown, o: { secret?: string; at?: number } = {}) => {
    const body = JSON.stringify(payload);
    return fetch(`${th.httpUrl}${GATEWAY_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signGatewayPost(o.secret ?? GATEWAY_SECRET, body, o.at ?? Date.now()),
      },
      body,
    });
  };
  const sms = (m: Partial<SosShort> & { sosId: string }, key = shortMessageKey(deviceSecret(BOX))) => {
    const now = Date.now();
    const r = encodeSosShort(
      {
        deviceId: BOX,
        category: 'medical',
        pos: { lat: 42.1213, lon: 108.4382 },
        power: 'battery',
        battery: 37,
        pressedAtMs: now - 60_000,
        sentAtMs: now,
        ...m,
      },
      key,
    );
    if (!r.ok) throw new Error(r.error.message);
    return toSmsText(r.value);
  };

  async function phone(): Promise<Alert[]> {
    const alerts: Alert[] = [];
    const p = await connect(th.mqttUrl, {
      clientId: 'phone-p-bater',
      username: 'bater',
      password: DEMO_PASSWORD,
      clean: false,
    });
    p.on('message', (topic, payload) => {
      if (topic === workerAlertTopic('p-bater')) alerts.push(JSON.parse(payload.toString()) as Alert);
    });
    await p.subscribeAsync(workerAlertTopic('p-bater'), { qos: 1 });
    clients.push(p);
    return alerts;
  }

  it('link down: the SMS raises and pages, the sos-ack goes back by SMS in Mongolian, the MQTT copy merges', async () => {
    const alerts = await phone();
    // The box was online once: the hub learnt its message key when it proved its secret.
    const box = await connect(th.mqttUrl, deviceLogin(BOX, { clean: false }));
    await box.subscribeAsync(downWildcard(BOX), { qos: 1 });
    await endClient(box); // the link goes down
    const sosId = ulid(1);
    const r = await post({ path: 'sms', from: BOX_SIM, body: sms({ sosId }), messageId: 'smsc-1' });
    expect(r.status).toBe(200);
    const accepted = (await r.json()) as { incidentId: string; sosId: string; duplicate: boolean };
    expect(accepted).toMatchObject({ sosId, duplicate: false });
    await until(() => alerts.find((a) => a.incidentId === accepted.incidentId));

    // the sos-ack back over the path that reached the hub: an SMS to the box's SIM
    const reply = await until(() => out.got.find((g) => g.sosId === sosId));
    expect(reply).toMatchObject({ to: BOX_SIM, path: 'sms' });
    const tag = parseAckSms(reply.body)!;
    expect(tag.text).toMatch(/[\u1820-\u18AF]/); // the household reads traditional Mongolian
    expect(tag.text.length).toBeLessThanOrEqual(48);
    expect(verifyAckShort(tag.ack, BOX, [sosId], shortMessageKey(deviceSecret(BOX)), tag.text)).toMatchObject(
      {
        sosId,
      },
    );

    // the gateway retrying its POST is answered again, not refused
    const again = await post({ path: 'sms', from: BOX_SIM, body: sms({ sosId }), messageId: 'smsc-1' });
    expect(await again.json()).toMatchObject({ duplicate: true, incidentId: accepted.incidentId });

    // link returns: the agent's MQTT copy of the same press joins the same incident
    const back = await connect(th.mqttUrl, deviceLogin(BOX, { clean: false }));
    clients.push(back);
    await back.publishAsync(
      upTopic(BOX, 'sos'),
      encodeOrThrow('sos', {
        v: 1,
        id: sosId,
        ts: Date.now() - 60_000,
        action: 'raise',
        category: 'medical',
      }),
      { qos: 1 },
    );
    const token = await apiToken(th.httpUrl, 'bater');
    const timeline = await until(async () => {
      const res = await fetch(`${th.httpUrl}/api/incidents/${accepted.incidentId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const inc = (await res.json()) as { timeline: { type: string; data: { path?: string } | null }[] };
      const paths = inc.timeline.filter((l) => l.type === 'sos-path').map((l) => l.data?.path);
      return paths.includes('mqtt') ? paths : undefined;
    });
    expect(timeline).toEqual(['sms', 'mqtt']);
    // one incident for the press: the worker was paged for it once, by the SMS copy
    expect(new Set(alerts.map((a) => a.incidentId))).toEqual(new Set([accepted.incidentId]));
  });

  it('refuses and dead-letters forged, replayed and stale messages; refuses unsigned POSTs', async () => {
    const box = await connect(th.mqttUrl, deviceLogin(BOX));
    await endClient(box);
    const unsigned = await post(
      { path: 'sms', from: BOX_SIM, body: sms({ sosId: ulid(2) }) },
      { secret: 'wrong' },
    );
    expect(unsigned.status).toBe(401);
    const staleSig = await post(
      { path: 'sms', from: BOX_SIM, body: sms({ sosId: ulid(2) }) },
      { at: Date.now() - 3_600_000 },
    );
    expect(staleSig.status).toBe(401);

    const forged = await post({
      path: 'sms',
      from: '+8613900000000',
      body: sms({ sosId: ulid(3) }, Buffer.alloc(32, 7)),
    });
    expect(forged.status).toBe(422);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('forged');

    const genuine = sms({ sosId: ulid(4) });
    expect((await post({ path: 'sms', from: BOX_SIM, body: genuine })).status).toBe(200);
    const replayed = await post({ path: 'sms', from: '+8613900000000', body: genuine });
    expect(replayed.status).toBe(422);
    expect(((await replayed.json()) as { error: { code: string } }).error.code).toBe('replayed');

    const stale = await post({
      path: 'sms',
      from: BOX_SIM,
      body: sms({
        sosId: ulid(5),
        pressedAtMs: Date.now() - 8 * 3_600_000,
        sentAtMs: Date.now() - 7 * 3_600_000,
      }),
    });
    expect(stale.status).toBe(422);
    const junk = await post({ path: 'sms', from: BOX_SIM, body: 'hello, is this the weather service?' });
    expect(junk.status).toBe(422);
    expect(((await junk.json()) as { error: { code: string } }).error.code).toBe('schema');

    const token = await apiToken(th.httpUrl, 'wangjg'); // league admin: sees every dead letter
    const dead = async (reason: string) => {
      const res = await fetch(`${th.httpUrl}/api/dead-letters?reason=${reason}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await res.json()) as { items: { topic: string; deviceId: string | null }[] }).items;
    };
    expect(await until(async () => ((await dead('forged')).length > 0 ? dead('forged') : undefined))).toEqual(
      [expect.objectContaining({ topic: 'sms:+8613900000000', deviceId: BOX })],
    );
    expect((await dead('replayed')).length).toBe(2);
  });
});
