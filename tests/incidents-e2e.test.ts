import { downWildcard, encodeOrThrow, type SosAck, upTopic, workerAckTopic } from '@steppelink/protocols';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncidentsModule, type IncidentsModule, type IncidentView } from '@steppelink/hub';
import { FakeClock } from '@steppelink/hub/testing';
import { connectPhone } from './support/devices.ts';
import { apiAs, connect, deviceLogin, endClient, type TestHub, startTestHub, until } from './support/hub.ts';

const MIN = 60_000;
const BOX = 'stb-150824-104-0007'; // 其其格's household in grid 150824-104-007-03

/** A worker's phone: logs in with their username, keeps a persistent session, records alerts. */
const phone = (th: TestHub, person: string, username: string) => connectPhone(th.mqttUrl, person, username);

/** The household's set-top box: publishes SOS, records sos-acks. */
async function box(th: TestHub) {
  const acks: SosAck[] = [];
  const client = await connect(th.mqttUrl, deviceLogin(BOX));
  client.on('message', (topic, payload) => {
    if (topic.endsWith('/down/sos-ack')) acks.push(JSON.parse(payload.toString()) as SosAck);
  });
  await client.subscribeAsync(downWildcard(BOX), { qos: 1 });
  let n = 0;
  const press = (extra: Record<string, unknown> = {}) =>
    client.publishAsync(
      upTopic(BOX, 'sos'),
      encodeOrThrow('sos', {
        v: 1,
        id: `${BOX}:sos:e2e-${Date.now()}-${++n}`,
        ts: Date.now(),
        action: 'raise',
        ...extra,
      }),
      { qos: 1 },
    );
  return { client, acks, press };
}

describe('incidents end to end: real hub, real sockets, fake escalation clock', () => {
  let th: TestHub;
  let clock: FakeClock;
  let mod: IncidentsModule;
  const clients: MqttClient[] = [];
  const startHub = async (dataDir?: string) => {
    mod = createIncidentsModule({ clock, jobs: false });
    th = await startTestHub({ modules: [mod], ...(dataDir ? { dataDir } : {}) });
  };
  /**
   * Work in flight settles (an SOS's page leaves before its incident is written), fake time
   * moves, escalation steps due by then run, and we wait for their deliveries to leave the hub.
   */
  const advance = async (ms: number) => {
    await mod.idle();
    await clock.advance(ms);
    await mod.idle();
  };

  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    await startHub();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => endClient(c)));
    await th.close();
  });

  it('brings a household SOS to the on-duty worker’s phone, climbs level by level, and tells the box who has it', async () => {
    const bater = await phone(th, 'p-bater', 'bater');
    const wuyun = await phone(th, 'p-wuyun', 'wuyun');
    const erdun = await phone(th, 'p-erdun', 'erdun');
    const stb = await box(th);
    clients.push(bater.client, wuyun.client, erdun.client, stb.client);

    await stb.press({ category: 'medical', note: '老人发烧不退', pos: { lat: 42.1213, lon: 108.4382 } });
    const first = await until(() => bater.alerts[0]);
    expect(first).toMatchObject({ level: 0, role: 'grid-worker', severity: 'critical', category: 'medical' });
    expect(first.household?.name).toBe('其其格');
    await until(() => stb.acks.find((a) => a.state === 'notified'));
    expect(stb.acks.find((a) => a.state === 'notified')?.by).toMatchObject({
      name: '巴特尔',
      role: 'grid-worker',
    });

    await advance(3 * MIN); // 巴特尔 does not answer
    expect(await until(() => wuyun.alerts[0])).toMatchObject({
      level: 1,
      role: 'grid-leader',
      incidentId: first.incidentId,
    });
    await advance(3 * MIN); // nor does 乌云
    expect(await until(() => erdun.alerts[0])).toMatchObject({ level: 2, role: 'village-secretary' });

    await erdun.client.publishAsync(
      workerAckTopic('p-erdun'),
      encodeOrThrow('worker-ack', {
        v: 1,
        id: 'wack-e2e-1',
        ts: Date.now(),
        incidentId: first.incidentId,
        note: '我开车过去，二十分钟到',
      }),
      { qos: 1 },
    );
    const ack = await until(() => stb.acks.find((a) => a.state === 'acknowledged'));
    expect(ack.by).toMatchObject({ name: '额尔敦', role: 'village-secretary', phone: '13904783456' });
    expect(ack.texts.zh).toContain('嘎查村书记额尔敦已收到您的求救');
    expect(ack.texts.mn).toContain('ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠴᠤ');
    expect(stb.acks.map((a) => a.state)).toEqual([
      'open',
      'notified',
      'notified',
      'notified',
      'acknowledged',
    ]);
  });

  it('resumes a half-done escalation after a hub restart without paging any step twice', async () => {
    let bater = await phone(th, 'p-bater', 'bater');
    const stb = await box(th);
    await stb.press();
    await until(() => bater.alerts[0]);
    await advance(2 * MIN); // two reminders to 巴特尔; the grid leader is next at 3 min
    await until(() => (bater.alerts.length === 3 ? true : undefined));
    const before = [...bater.alerts];
    await Promise.all([endClient(bater.client), endClient(stb.client)]);
    const dataDir = th.dataDir;
    await th.close({ keepData: true }); // the hub goes down mid-escalation...
    await clock.advance(90_000); // ...and stays down past the grid worker's deadline
    await startHub(dataDir);
    bater = await phone(th, 'p-bater', 'bater');
    const wuyun = await phone(th, 'p-wuyun', 'wuyun');
    clients.push(bater.client, wuyun.client);
    await advance(0); // the overdue step runs as soon as the timer may fire
    const leader = await until(() => wuyun.alerts[0]);
    expect(leader).toMatchObject({ level: 1, incidentId: before[0]!.incidentId });
    await advance(MIN);
    await until(() => (wuyun.alerts.length === 2 ? true : undefined));
    const all = [...before, ...bater.alerts, ...wuyun.alerts];
    const steps = all.map((a) => `${a.level}/${a.reminder}`);
    expect(steps).toEqual(['0/0', '0/1', '0/2', '1/0', '1/1']);
  });

  it('folds repeated presses into one incident and pages once', async () => {
    const bater = await phone(th, 'p-bater', 'bater');
    const stb = await box(th);
    clients.push(bater.client, stb.client);
    await stb.press();
    await stb.press({ presses: 2 });
    await stb.press();
    const get = await apiAs(th.httpUrl, 'bater');
    const list = await until(async () => {
      const r = await get<{ items: IncidentView[] }>('/api/incidents?state=active');
      return r.body.items[0]?.presses === 4 ? r.body.items : undefined;
    });
    expect(list).toHaveLength(1);
    await until(() => bater.alerts[0]);
    expect(bater.alerts).toHaveLength(1);
  });

  it('opens an incident for an SOS that arrives hours late and says how late', async () => {
    const bater = await phone(th, 'p-bater', 'bater');
    const stb = await box(th);
    clients.push(bater.client, stb.client);
    const pressedAt = Date.now() - (2 * 60 + 13) * MIN - 20_000; // queued on the box through an outage
    await stb.press({ ts: pressedAt, category: 'blizzard' });
    const alert = await until(() => bater.alerts[0]);
    expect(alert.lateMs).toBeGreaterThanOrEqual(133 * MIN);
    expect(alert.lateMs).toBeLessThan(134 * MIN);
    const notified = await until(() => stb.acks.find((a) => a.state === 'notified'));
    expect(notified.texts.zh).toContain('您的求救晚到了2小时13分钟');
    const get = await apiAs(th.httpUrl, 'wuyun');
    const { body } = await get<{ timeline: { type: string }[] }>(`/api/incidents/${alert.incidentId}`);
    expect(body.timeline.map((e) => e.type)).toContain('late');
  });
});
