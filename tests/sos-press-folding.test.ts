import {
  type Alert,
  downWildcard,
  encodeOrThrow,
  type SosAck,
  upTopic,
  workerAlertTopic,
} from '@steppelink/protocols';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncidentsModule } from '@steppelink/hub';
import { FakeClock, DEMO_PASSWORD } from '@steppelink/hub/testing';
import {
  apiToken,
  connect,
  deviceLogin,
  endClient,
  type TestHub,
  startTestHub,
  until,
} from './support/hub.ts';

const MIN = 60_000;
const BOX = 'stb-150824-104-0007'; // 其其格's household in grid 150824-104-007-03

/**
 * Issue #20: an SOS press whose box timestamp was not after the source time of an earlier,
 * closed incident of the household was folded into it — PUBACK, but no page and no sos-ack.
 */
describe('SOS presses after a closed incident page again, whatever the box clock said (real hub, real sockets)', () => {
  let th: TestHub;
  const clients: MqttClient[] = [];

  beforeEach(async () => {
    th = await startTestHub({
      modules: [createIncidentsModule({ clock: new FakeClock(Date.now()), jobs: false })],
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => endClient(c)));
    await th.close();
  });

  async function setup() {
    const alerts: Alert[] = [];
    const phone = await connect(th.mqttUrl, {
      clientId: 'phone-p-bater',
      username: 'bater',
      password: DEMO_PASSWORD,
      clean: false,
    });
    phone.on('message', (topic, payload) => {
      if (topic === workerAlertTopic('p-bater')) alerts.push(JSON.parse(payload.toString()) as Alert);
    });
    await phone.subscribeAsync(workerAlertTopic('p-bater'), { qos: 1 });
    const acks: SosAck[] = [];
    const box = await connect(th.mqttUrl, deviceLogin(BOX));
    box.on('message', (topic, payload) => {
      if (topic.endsWith('/down/sos-ack')) acks.push(JSON.parse(payload.toString()) as SosAck);
    });
    await box.subscribeAsync(downWildcard(BOX), { qos: 1 });
    clients.push(phone, box);
    let n = 0;
    const press = (ts: number) =>
      box.publishAsync(
        upTopic(BOX, 'sos'),
        encodeOrThrow('sos', { v: 1, id: `${BOX}:sos:fold-${Date.now()}-${++n}`, ts, action: 'raise' }),
        { qos: 1 },
      );
    const token = await apiToken(th.httpUrl, 'bater');
    const resolve = async (incidentId: string) => {
      const r = await fetch(`${th.httpUrl}/api/incidents/${incidentId}/resolve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ note: '已到现场，处理完毕' }),
      });
      expect(r.status).toBe(200);
      await until(() => acks.find((a) => a.incidentId === incidentId && a.state === 'resolved'));
    };
    /** Presses, and waits for the page of a new incident and the box's sos-ack naming the worker. */
    const pressAndPage = async (ts: number, not: readonly string[] = []) => {
      await press(ts);
      const page = await until(() => alerts.find((a) => !not.includes(a.incidentId) && a.reminder === 0));
      const ack = await until(() =>
        acks.find((a) => a.incidentId === page.incidentId && a.state === 'notified'),
      );
      expect(ack.by).toMatchObject({ name: '巴特尔', role: 'grid-worker' });
      return page.incidentId;
    };
    return { press, resolve, pressAndPage };
  }

  it('pages a second emergency pressed after the first was resolved, when the box clock ran 4 min fast at the first', async () => {
    const s = await setup();
    const first = await s.pressAndPage(Date.now() + 4 * MIN); // the box clock is 4 min fast...
    await s.resolve(first);
    const second = await s.pressAndPage(Date.now(), [first]); // ...and has been set right since
    expect(second).not.toBe(first);
    await s.resolve(second);
    const third = await s.pressAndPage(Date.now() + 4 * MIN + 30_000, [first, second]); // fast again
    expect(third).not.toBe(second);
  });

  it('keeps paging presses of a box that once stamped a press in 2096', async () => {
    const s = await setup();
    const future = await s.pressAndPage(Date.UTC(2096, 0, 1));
    await s.resolve(future);
    const seen = [future];
    for (let i = 0; i < 2; i++) {
      const id = await s.pressAndPage(Date.now(), seen);
      seen.push(id);
      await s.resolve(id);
    }
    expect(new Set(seen).size).toBe(3);
  });
});
