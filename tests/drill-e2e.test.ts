import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncidentsModule } from '@steppelink/hub';
import { connectBox, connectPhone } from './support/devices.ts';
import { apiCall, apiToken, endClient, type TestHub, startTestHub, until } from './support/hub.ts';

/**
 * Issue #24 item 2: a full drill through a real hub, with the household's set-top box and the
 * grid worker's phone as real MQTT clients: the officer starts it over HTTP, the phone is paged
 * (and PUBACKs), the box hears it is a drill, the worker acknowledges, and the report says who
 * was paged, delivered and acknowledged, in how long; the league table stays empty.
 */
const BOX = 'stb-150824-104-0007'; // 其其格's household; 巴特尔 (p-bater) is the grid worker on duty

describe('a drill SOS end to end (real hub, MQTT phone and box)', () => {
  let th: TestHub;
  const clients: MqttClient[] = [];
  beforeAll(async () => {
    th = await startTestHub({ modules: [createIncidentsModule({ jobs: false })] });
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => endClient(c)));
    await th.close();
  });

  it('pages for real, marks the box’s feedback as a drill, and reports who answered in how long', async () => {
    const box = await connectBox(th.mqttUrl, BOX);
    const phone = await connectPhone(th.mqttUrl, 'p-bater', 'bater');
    clients.push(box.client, phone.client);
    const officer = await apiToken(th.httpUrl, 'saren');
    const worker = await apiToken(th.httpUrl, 'bater');
    const call = (token: string, method: string, path: string, body?: unknown) =>
      apiCall(th.httpUrl, token, method, path, body);

    const started = await call(officer, 'POST', '/drills', { household: 'hh-150824-104-0007' });
    expect(started.status).toBe(201);
    const id = started.body.incidentId as string;

    const page = await until(() => phone.alerts.find((a) => a.incidentId === id));
    expect(page.summary.zh.startsWith('【演练】')).toBe(true);
    const ack = await until(() => box.acks.find((a) => a.incidentId === id && a.state === 'notified'));
    expect(ack.drill).toBe(true);
    expect(ack.texts.en.startsWith('DRILL:')).toBe(true);

    // the phone's PUBACK makes its page delivered; then 巴特尔 acknowledges
    await until(async () => {
      const r = await call(officer, 'GET', `/drills/${id}/report`);
      const paged = r.body.paged as { person: string; channel: string; status: string }[];
      return (
        paged.some((p) => p.person === 'p-bater' && p.channel === 'mqtt' && p.status === 'delivered') ||
        undefined
      );
    });
    expect((await call(worker, 'POST', `/incidents/${id}/ack`, {})).status).toBe(200);
    await until(() => box.acks.find((a) => a.incidentId === id && a.state === 'acknowledged'));
    expect(box.acks.filter((a) => a.incidentId === id).every((a) => a.drill === true)).toBe(true);

    const report = (await call(officer, 'GET', `/drills/${id}/report`)).body as {
      paged: { person: string; level: number; deliveredAfterS: number | null }[];
      acknowledged: { by: string; afterS: number };
      policy: { source: string };
      box: { acks: number; delivered: number };
    };
    expect(report.policy.source).toBe('drill');
    const bater = report.paged.find((p) => p.person === 'p-bater' && p.level === 0)!;
    expect(bater.deliveredAfterS).not.toBeNull();
    expect(report.acknowledged.by).toBe('p-bater');
    expect(report.acknowledged.afterS).toBeGreaterThanOrEqual(0);
    expect(report.box.delivered).toBeGreaterThanOrEqual(1);

    const stats = await call(officer, 'GET', '/incidents/stats?unit=150824&level=grid&from=0');
    expect((stats.body.rows as { opened: number }[]).reduce((n, r) => n + r.opened, 0)).toBe(0);
  });
});
