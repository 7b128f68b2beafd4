import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Alert, workerAlertTopic } from '@steppelink/protocols';
import { AtModem, createAgent, createMemoryOutbox, type EdgeAgent, systemTimers } from '@steppelink/edge';
import { linkState } from '@steppelink/edge/testing';
import { createStandardModules, GATEWAY_PATH, SIGNATURE_HEADER, signGatewayPost } from '@steppelink/hub';
import { DEMO_PASSWORD, deviceSecret } from '@steppelink/hub/testing';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimModem, simModem } from './support/at-modem-sim.ts';
import { type DropProxy, startDropProxy } from './support/drop-proxy.ts';
import { apiToken, connect, endClient, type TestHub, startTestHub, until } from './support/hub.ts';

const BOX = 'stb-150824-104-0007'; // 其其格's household (reads Mongolian), worker 巴特尔 (p-bater)
const BOX_SIM = '+8614700000007';
const HUB_SMS = '+8610690000001';
const GATEWAY_SECRET = 'gw-secret-for-the-every-path-test';

/**
 * Issue #27's "Done when", end to end with every part real except the radio: the hub (real
 * MQTT broker, HTTP, SQLite), the edge agent with its SOS ladder and AT modem driver on a real
 * pty, a simulated GSM modem behind it (3GPP TS 27.005), and a small "SMS network" in the test
 * that carries the modem's SMS to the hub's signed gateway webhook and the hub's outbound SMS
 * back to the modem's SIM. The box's MQTT link goes through a TCP proxy the test cuts.
 */
describe('SOS over every path (real hub, real agent, simulated modem on a pty)', () => {
  let th: TestHub;
  let proxy: DropProxy;
  let modem: SimModem;
  let agent: EdgeAgent;
  let phone: MqttClient;
  const alerts: Alert[] = [];
  const boxSms: string[] = [];
  let network: ReturnType<typeof createServer>;

  const gatewayPost = (payload: unknown) => {
    const body = JSON.stringify(payload);
    return fetch(`${th.httpUrl}${GATEWAY_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signGatewayPost(GATEWAY_SECRET, body, Date.now()),
      },
      body,
    });
  };

  beforeAll(async () => {
    // the SMS network, hub → box: the outbound gateway delivers to the box's SIM
    network = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const m = JSON.parse(body) as { to: string; body: string; path: string };
        if (m.path === 'sms' && m.to === BOX_SIM) modem.deliver(HUB_SMS, m.body);
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => network.listen(0, '127.0.0.1', r));
    const out = `http://127.0.0.1:${(network.address() as AddressInfo).port}/send`;
    const m = createStandardModules({
      rulesTick: false,
      incidents: { jobs: false },
      shortMessage: { gatewaySecret: GATEWAY_SECRET, outbound: { url: out } },
    });
    th = await startTestHub({ modules: m.list });
    proxy = await startDropProxy({ host: '127.0.0.1', port: Number(new URL(th.mqttUrl).port) });
    modem = await simModem();
    // the SMS network, box → hub: what the modem sends reaches the hub's gateway number
    modem.onSend((sms) => {
      if (sms.to !== HUB_SMS) return;
      boxSms.push(sms.text);
      void gatewayPost({ path: 'sms', from: BOX_SIM, body: sms.text });
    });
    phone = await connect(th.mqttUrl, {
      clientId: 'phone-p-bater',
      username: 'bater',
      password: DEMO_PASSWORD,
      clean: false,
    });
    phone.on('message', (topic, payload) => {
      if (topic === workerAlertTopic('p-bater')) alerts.push(JSON.parse(payload.toString()) as Alert);
    });
    await phone.subscribeAsync(workerAlertTopic('p-bater'), { qos: 1 });
    agent = createAgent({
      deviceId: BOX,
      secret: deviceSecret(BOX),
      hubUrls: [`mqtt://127.0.0.1:${new URL(proxy.url).port}`],
      units: ['150824-104-007-03'],
      store: createMemoryOutbox(),
      settings: { reconnectInitialMs: 100, reconnectMaxMs: 500, hbIntervalS: 3_600 },
      shortMessage: {
        transports: [new AtModem({ port: modem.path, to: HUB_SMS, timers: systemTimers })],
        // the documented 20 s / 5 s / 60 s / 5 min, shortened for the test
        timings: { mqttAckMs: 1_000, linkDownMs: 300, stepMs: 10_000, resendMs: 60_000 },
      },
    });
    await agent.start();
    await linkState(agent, 'online'); // online once: the hub learns the box's message key at CONNECT
  });
  afterAll(async () => {
    await agent?.close();
    await endClient(phone);
    await modem?.close();
    await proxy?.close();
    await th?.close();
    await new Promise<void>((r) => network.close(() => r()));
  });

  it('link down → SOS by SMS → paged → sos-ack SMS back to the box → link returns → the MQTT copy merges', async () => {
    proxy.drop();
    await linkState(agent, 'backoff');
    const pressed = agent.input.sosPress('http', 'medical');
    expect(pressed.ok && pressed.status.state).toBe('sending');
    const sosId = agent.sos.status().raiseIds[0]!;

    // the ladder sends it by SMS; the hub raises the incident and pages the worker
    await until(() => (boxSms.length > 0 ? true : undefined));
    const alert = await until(() => alerts[0]);
    const incidentId = alert.incidentId;

    // the hub's sos-ack comes back by SMS, verified by the box: the TV shows it came by SMS
    const shown = await until(() => (agent.sos.status().via ? agent.sos.status() : undefined));
    expect(shown).toMatchObject({ via: 'sms', sentVia: ['sms'] });
    expect(['delivered', 'acknowledged']).toContain(shown.state);
    expect(shown.message.mn).toMatch(/[\u1820-\u18AF]/); // the household's language, from the hub's SMS

    // the link returns: the outbox's MQTT copy of the same press joins the same incident
    proxy.restore();
    await linkState(agent, 'online');
    const token = await apiToken(th.httpUrl, 'bater');
    const paths = await until(async () => {
      const res = await fetch(`${th.httpUrl}/api/incidents/${incidentId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const inc = (await res.json()) as {
        sosId?: string;
        timeline: { type: string; data: { path?: string } | null }[];
      };
      const p = inc.timeline.filter((l) => l.type === 'sos-path').map((l) => l.data?.path);
      return p.includes('mqtt') ? p : undefined;
    });
    expect(paths).toEqual(['sms', 'mqtt']);
    expect(new Set(alerts.map((a) => a.incidentId))).toEqual(new Set([incidentId]));
    // one SMS out (answered before the next rung); one back per state the incident reached meanwhile
    expect(agent.stats().shortMessage?.[0]).toMatchObject({ path: 'sms', sent: 1 });
    expect(agent.stats().shortMessage?.[0]?.received).toBeGreaterThanOrEqual(1);
    expect(sosId).toBe(agent.sos.status().raiseIds[0]);

    // forged and replayed messages are refused and dead-lettered
    const forged = await gatewayPost({
      path: 'sms',
      from: '+8613900000000',
      body: boxSms[0]!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    });
    expect(forged.status).toBe(422);
    const replayed = await gatewayPost({ path: 'sms', from: '+8613900000000', body: boxSms[0] });
    expect(replayed.status).toBe(422);
    expect(((await replayed.json()) as { error: { code: string } }).error.code).toBe('replayed');
    const admin = await apiToken(th.httpUrl, 'wangjg');
    const dead = await fetch(`${th.httpUrl}/api/dead-letters?limit=20`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const reasons = ((await dead.json()) as { items: { reason: string; topic: string }[] }).items
      .filter((d) => d.topic === 'sms:+8613900000000')
      .map((d) => d.reason);
    expect(reasons.sort()).toEqual(['forged', 'replayed']);
  });
});
