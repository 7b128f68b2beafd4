import { downTopic, workerAlertTopic } from '@steppelink/protocols';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@steppelink/hub/testing';
import { connect, deviceLogin, endClient, type TestHub, startTestHub, until } from './support/hub.ts';

const BATER = workerAlertTopic('p-bater');
const BOX = 'stb-150824-104-0007';

/** The aedes client of a connection, and the order its socket writes and other events happened in. */
function watchWrites(th: TestHub, clientId: string, order: string[]): void {
  const clients = (
    th.hub.broker.aedes as unknown as { clients: Record<string, { conn: NodeJS.WritableStream }> }
  ).clients;
  const conn = clients[clientId]!.conn;
  const write = conn.write.bind(conn) as (...a: unknown[]) => boolean;
  (conn as unknown as { write: (...a: unknown[]) => boolean }).write = (...a) => {
    order.push('write');
    return write(...a);
  };
}

/** What aedes still holds for a persistent session: messages queued or sent and not yet acknowledged. */
async function outgoing(th: TestHub, clientId: string): Promise<unknown[]> {
  const p = (
    th.hub.broker.aedes as unknown as {
      persistence: { outgoingStream(c: { id: string }): AsyncIterable<unknown> };
    }
  ).persistence;
  const out: unknown[] = [];
  for await (const m of p.outgoingStream({ id: clientId })) out.push(m);
  return out;
}

describe("a worker's alert leaves the broker at once, with aedes' QoS 1 bookkeeping", () => {
  let th: TestHub;
  const clients: MqttClient[] = [];
  const phone = async (clean: boolean) => {
    const received: { topic: string; text: string; qos: number }[] = [];
    const c = await connect(th.mqttUrl, {
      clientId: 'phone-p-bater',
      username: 'bater',
      password: DEMO_PASSWORD,
      clean,
    });
    clients.push(c);
    c.on('message', (topic, payload, packet) =>
      received.push({ topic, text: payload.toString(), qos: packet.qos }),
    );
    await c.subscribeAsync(BATER, { qos: 1 });
    return { c, received };
  };
  const alert = (n: number) => Buffer.from(JSON.stringify({ test: 'alert', n }));

  beforeEach(async () => {
    th = await startTestHub();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => endClient(c)));
    await th.close();
  });

  it('writes the alert to the phone before the next event-loop turn, once, at QoS 1', async () => {
    const { received } = await phone(true);
    const order: string[] = [];
    watchWrites(th, 'phone-p-bater', order);
    // aedes would write a QoS 1 delivery from a setImmediate queued after this one
    setImmediate(() => order.push('next turn'));
    await th.hub.publisher.publish(BATER, alert(1), { qos: 1 });
    await until(() => (received.length > 0 ? true : undefined));
    expect(order[0]).toBe('write');
    expect(order).toContain('next turn');
    expect(received).toEqual([{ topic: BATER, text: alert(1).toString(), qos: 1 }]);
  });

  it("keeps a persistent session's record until the phone acknowledges, and queues for it offline", async () => {
    const first = await phone(false);
    await th.hub.publisher.publish(BATER, alert(1), { qos: 1 });
    await until(() => (first.received.length > 0 ? true : undefined));
    // the phone's PUBACK clears the record, so nothing is sent again after a reconnect
    await until(async () => ((await outgoing(th, 'phone-p-bater')).length === 0 ? true : undefined));
    await endClient(first.c);
    clients.splice(clients.indexOf(first.c), 1);
    // offline: the usual path queues it, and the reconnecting session gets it (and only it)
    await th.hub.publisher.publish(BATER, alert(2), { qos: 1 });
    expect(await outgoing(th, 'phone-p-bater')).toHaveLength(1);
    const again = await connect(th.mqttUrl, {
      clientId: 'phone-p-bater',
      username: 'bater',
      password: DEMO_PASSWORD,
      clean: false,
    });
    clients.push(again);
    const received: string[] = [];
    again.on('message', (_t, payload) => received.push(payload.toString()));
    await until(() => (received.length > 0 ? true : undefined));
    await until(async () => ((await outgoing(th, 'phone-p-bater')).length === 0 ? true : undefined));
    expect(received).toEqual([alert(2).toString()]);
  });

  it("leaves other downlink to aedes' usual path", async () => {
    const box = await connect(th.mqttUrl, deviceLogin(BOX));
    clients.push(box);
    const received: string[] = [];
    box.on('message', (_t, payload) => received.push(payload.toString()));
    await box.subscribeAsync(downTopic(BOX, 'notice'), { qos: 1 });
    const order: string[] = [];
    watchWrites(th, BOX, order);
    setImmediate(() => order.push('next turn'));
    await th.hub.publisher.publish(downTopic(BOX, 'notice'), Buffer.from('{"test":"notice"}'), { qos: 1 });
    await until(() => (received.length > 0 ? true : undefined));
    expect(order[0]).toBe('next turn');
    expect(received).toEqual(['{"test":"notice"}']);
  });
});
