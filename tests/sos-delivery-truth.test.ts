import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createIncidentsModule, type IncidentsModule } from '@steppelink/hub';
import { FakeClock } from '@steppelink/hub/testing';
import { type Box, connectBox, connectPhone } from './support/devices.ts';
import { apiToken, endClient, type TestHub, startTestHub, until } from './support/hub.ts';

/**
 * Issue #20, defects 3 and 4, through a real hub, real sockets and a local SMS gateway: a page
 * is `queued` only when a session is subscribed to it and `delivered` only on that phone's
 * PUBACK; with no PUBACK in time the SMS goes, and with no channel delivering the level is
 * unreachable and the next one is paged at once; a box gets its open incident's state once.
 */
const BOX = 'stb-150824-104-0007'; // 其其格's household; 巴特尔 (p-bater) is the grid worker on duty
const FALLBACK_MS = 1_500;

interface Delivery {
  kind: string;
  level: number | null;
  person: string | null;
  personName: string | null;
  channel: string;
  status: string;
  deliveredAt: number | null;
}
interface Detail {
  incident: { state: string; level: number };
  timeline: { type: string; level: number | null; note: string | null }[];
  deliveries: Delivery[];
}

/** A local SMS/voice gateway: takes every POST with 200 (or `status`). */
async function gateway(status = 200) {
  const bodies: { personId: string; kind: string }[] = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      bodies.push(JSON.parse(data));
      res.writeHead(status).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`,
    bodies,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('SOS delivery truth (real hub, real MQTT clients)', () => {
  let th: TestHub;
  let gw: Awaited<ReturnType<typeof gateway>> | undefined;
  const clients: MqttClient[] = [];
  const start = async (o: { webhook?: boolean } = {}) => {
    gw = o.webhook ? await gateway() : undefined;
    const mod = createIncidentsModule({
      jobs: false,
      delivery: { fallbackAfterMs: FALLBACK_MS },
      ...(gw ? { webhook: { url: gw.url } } : {}),
    });
    th = await startTestHub({ modules: [mod] });
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => endClient(c)));
    await th?.close();
    await gw?.close();
  });

  const phone = async (person: string, username: string) => {
    const p = await connectPhone(th.mqttUrl, person, username);
    clients.push(p.client);
    return p;
  };
  const box = async (o: { clean?: boolean } = {}) => {
    const b = await connectBox(th.mqttUrl, BOX, o);
    clients.push(b.client);
    return b;
  };
  const press = (b: Box) => b.sos();
  const detail = async (id: string): Promise<Detail> => {
    const token = await apiToken(th.httpUrl, 'saren');
    const r = await fetch(`${th.httpUrl}/api/incidents/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return (await r.json()) as Detail;
  };
  const openIncident = async (): Promise<string> => {
    const token = await apiToken(th.httpUrl, 'saren');
    return until(async () => {
      const r = await fetch(`${th.httpUrl}/api/incidents?state=active`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const items = ((await r.json()) as { items: { id: string }[] }).items;
      return items[0]?.id;
    });
  };
  const appPage = (d: Detail, person: string) =>
    d.deliveries.find(
      (x) => x.kind === 'alert' && x.person === person && x.channel === 'mqtt' && x.level === 0,
    );

  it('records a page to a phone that never subscribed as no-listener (never "sent") and sends the SMS at once', async () => {
    await start({ webhook: true });
    const stb = await box();
    await press(stb);
    const id = await openIncident();
    const d = await until(async () => {
      const x = await detail(id);
      return x.deliveries.some(
        (r) => r.person === 'p-bater' && r.channel === 'webhook' && r.status === 'delivered',
      )
        ? x
        : undefined;
    });
    expect(appPage(d, 'p-bater')?.status).toBe('no-listener');
    expect(d.deliveries.some((r) => r.status === 'sent')).toBe(false);
    expect(gw!.bodies.filter((b) => b.personId === 'p-bater' && b.kind === 'alert')).toHaveLength(1);
    // Reached by SMS: the level waits for an ack as usual, no early escalation.
    expect(d.timeline.some((e) => e.type === 'unreachable')).toBe(false);
  });

  it('marks the page delivered on the phone’s PUBACK; the SMS fallback is then not needed', async () => {
    await start({ webhook: true });
    const bater = await phone('p-bater', 'bater');
    const stb = await box();
    await press(stb);
    const page = await until(() => bater.alerts[0]);
    const d = await until(async () => {
      const x = await detail(page.incidentId);
      return appPage(x, 'p-bater')?.status === 'delivered' ? x : undefined;
    });
    expect(appPage(d, 'p-bater')).toMatchObject({ personName: '巴特尔', deliveredAt: expect.any(Number) });
    await new Promise((r) => setTimeout(r, FALLBACK_MS + 500)); // past the fallback time
    const later = await detail(page.incidentId);
    const sms = later.deliveries.find(
      (r) => r.person === 'p-bater' && r.channel === 'webhook' && r.level === 0,
    );
    expect(sms?.status).toBe('not-needed');
    expect(gw!.bodies.filter((b) => b.personId === 'p-bater')).toHaveLength(0);
    expect(later.incident.level).toBe(0);
  });

  it('with the phone away and no SMS gateway, the level is unreachable and the next is paged at once; the late PUBACK is recorded', async () => {
    await start();
    const bater = await phone('p-bater', 'bater');
    await endClient(bater.client); // persistent session: the broker queues for it
    clients.splice(clients.indexOf(bater.client), 1);
    const wuyun = await phone('p-wuyun', 'wuyun'); // the grid leader, level 1
    const stb = await box();
    await press(stb);
    const id = await openIncident();
    const first = await until(async () => {
      const x = await detail(id);
      return appPage(x, 'p-bater') ? x : undefined;
    });
    expect(appPage(first, 'p-bater')?.status).toBe('queued'); // the broker has it; nobody acknowledged
    // Well inside the 3-minute ack window: unreachable after the fallback time, level 1 paged.
    const up = await until(() => wuyun.alerts[0]);
    expect(up).toMatchObject({ incidentId: id, level: 1 });
    const d = await detail(id);
    const unreachable = d.timeline.find((e) => e.type === 'unreachable');
    expect(unreachable).toMatchObject({ level: 0 });
    expect(unreachable?.note).toContain('巴特尔');
    expect(d.incident.level).toBe(1);
    // 巴特尔's phone comes back: its session delivers the queued page, and the record says so.
    const back = await phone('p-bater', 'bater');
    expect((await until(() => back.alerts[0])).incidentId).toBe(id);
    await until(async () =>
      appPage(await detail(id), 'p-bater')?.status === 'delivered' ? true : undefined,
    );
  });

  it('gives a box that comes back its open incident’s current state once, with no duplicate ids and nothing from closed incidents', async () => {
    await start();
    await phone('p-bater', 'bater');
    const first = await box({ clean: true });
    await press(first);
    const id = await openIncident();
    await until(() => first.acks.find((a) => a.state === 'notified'));
    // Resolve it through the API, then press again for a new emergency.
    const token = await apiToken(th.httpUrl, 'bater');
    const res = await fetch(`${th.httpUrl}/api/incidents/${id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: '已送医' }),
    });
    expect(res.status).toBe(200);
    await until(() => first.acks.find((a) => a.state === 'resolved'));
    await press(first);
    const second = await until(() => first.acks.find((a) => a.state === 'notified' && a.incidentId !== id));
    // The box goes away (clean session: nothing kept for it) and its grid worker acknowledges.
    await endClient(first.client);
    clients.splice(clients.indexOf(first.client), 1);
    const ack = await fetch(`${th.httpUrl}/api/incidents/${second.incidentId}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(ack.status).toBe(200);
    const back = await box({ clean: true });
    const state = await until(() => back.acks.find((a) => a.state === 'acknowledged'));
    expect(state.incidentId).toBe(second.incidentId);
    await new Promise((r) => setTimeout(r, 500)); // anything else would have arrived by now
    expect(back.acks.map((a) => a.incidentId)).toEqual([second.incidentId]); // nothing of the closed one
    expect(back.acks).toHaveLength(1);
    const ids = [...first.acks, ...back.acks].map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('reminders due while the hub was down (restart on the same data, fake escalation clock)', () => {
  const clients: MqttClient[] = [];
  let th: TestHub | undefined;
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => endClient(c)));
    await th?.close();
  });

  it('are queued for the persistent phone that is away (not "sent"), and delivered when it is back', async () => {
    const clock = new FakeClock(Date.now());
    let mod: IncidentsModule;
    const startHub = async (dataDir?: string) => {
      mod = createIncidentsModule({ clock, jobs: false });
      th = await startTestHub({ modules: [mod], ...(dataDir ? { dataDir } : {}) });
      return th;
    };
    let hub = await startHub();
    const bater = await connectPhone(hub.mqttUrl, 'p-bater', 'bater');
    const stb = await connectBox(hub.mqttUrl, BOX);
    await stb.sos();
    const page = await until(() => bater.alerts[0]);
    await Promise.all([endClient(bater.client), stb.close()]);
    const rows = () =>
      hub.hub.db
        .prepare(
          `SELECT reminder, status FROM deliveries WHERE incident_id = ? AND channel = 'mqtt' AND person = 'p-bater'
           ORDER BY reminder`,
        )
        .all(page.incidentId) as { reminder: number; status: string }[];
    await until(() => (rows()[0]?.status === 'delivered' ? true : undefined));
    await mod!.idle();
    const dataDir = hub.dataDir;
    await hub.close({ keepData: true }); // the hub goes down...
    await clock.advance(70_000); // ...past the first reminder (1 min)
    hub = await startHub(dataDir);
    await mod!.idle();
    await clock.advance(0);
    await until(() => (rows().length === 2 ? true : undefined));
    await mod!.idle();
    // The reminder ran at start with the phone still away: the restored session holds it.
    expect(rows()).toEqual([
      { reminder: 0, status: 'delivered' },
      { reminder: 1, status: 'queued' },
    ]);
    // no SUBSCRIBE: the session kept its subscription
    const back = await connectPhone(hub.mqttUrl, 'p-bater', 'bater', { subscribe: false });
    clients.push(back.client);
    expect((await until(() => back.alerts[0])).reminder).toBe(1);
    await until(() => (rows()[1]?.status === 'delivered' ? true : undefined));
  });
});
