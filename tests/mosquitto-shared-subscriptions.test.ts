import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './support/hub.ts';
import { type MosquittoHandle, startMosquitto } from './support/mosquitto.ts';

// What Debian's mosquitto (2.0.11) does with a shared-subscription member that dies: the facts
// the external broker mode is built on (README, "Scaling beyond one machine"). The crash is a
// destroyed socket: no DISCONNECT, as when a hub is SIGKILLed.

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m${from + i}`);

/** A member of $share/g/t/#; `hold`: it never acknowledges (its messages stay in flight). */
async function member(url: string, clientId: string, persistent: boolean, hold: boolean, got: string[]) {
  const c = await mqtt.connectAsync(url, {
    clientId,
    protocolVersion: 5,
    clean: !persistent,
    reconnectPeriod: 0,
    properties: persistent ? { sessionExpiryInterval: 3600 } : {},
    customHandleAcks: (_topic, message, _packet, cb) => {
      got.push(message.toString());
      if (!hold) cb(0);
    },
  });
  await c.subscribeAsync('$share/g/t/#', { qos: 1 });
  return c;
}

/** Destroys the member's socket (no DISCONNECT) and gives the broker a moment to see the connection end. */
async function crash(c: MqttClient): Promise<void> {
  (c as unknown as { stream: { destroy(): void } }).stream.destroy();
  await new Promise((r) => setTimeout(r, 200));
}

describe("mosquitto 2.0.11: a dead shared-subscription member's messages", () => {
  let broker: MosquittoHandle;
  let publisher: MqttClient;
  beforeAll(async () => {
    broker = await startMosquitto();
    publisher = await mqtt.connectAsync(broker.url, { clientId: 'publisher', protocolVersion: 5 });
  });
  afterAll(async () => {
    await publisher?.endAsync();
    await broker?.close();
  });
  const publish = async (topic: string, from: number, to: number) => {
    for (const m of ids(from, to)) await publisher.publishAsync(topic, m, { qos: 1 });
  };

  it('clean session: what was in flight to the member when it crashed is lost, not given to the others', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const again: string[] = [];
    const A = await member(broker.url, 'clean-a', false, true, a);
    const B = await member(broker.url, 'clean-b', false, false, b);
    await publish('t/clean', 0, 40);
    await until(() => (a.length > 0 && b.length >= 20 ? true : undefined));
    await crash(A);
    await publish('t/clean', 40, 80);
    await until(() => (b.length >= 60 ? true : undefined));
    const A2 = await member(broker.url, 'clean-a', false, false, again);
    await publish('t/clean', 80, 82); // a marker round: once B and A2 have it, nothing else is coming
    await until(() =>
      (b.includes('m80') || again.includes('m80')) && (b.includes('m81') || again.includes('m81'))
        ? true
        : undefined,
    );
    const seen = new Set([...b, ...again]);
    const lost = ids(0, 40).filter((m) => !seen.has(m));
    // A's share of the first 40 (every other message) never arrives anywhere
    expect(lost.length).toBeGreaterThanOrEqual(10);
    expect(lost).toContain(a[0]);
    // after the crash B gets every message: the dead member leaves the group
    expect(ids(40, 80).every((m) => b.includes(m))).toBe(true);
    await Promise.all([A2.endAsync(), B.endAsync()]);
  });

  it('persistent session: the dead member keeps receiving its share, held until its client id connects again', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const again: string[] = [];
    const A = await member(broker.url, 'durable-a', true, true, a);
    const B = await member(broker.url, 'durable-b', true, false, b);
    await publish('t/durable', 0, 40);
    await until(() => (a.length > 0 && b.length >= 20 ? true : undefined));
    await crash(A);
    await publish('t/durable', 40, 80);
    await until(() => (b.length >= 40 ? true : undefined));
    // B got only its share of what came after the crash: the rest waits for A's session
    const waiting = ids(40, 80).filter((m) => !b.includes(m));
    expect(waiting.length).toBeGreaterThanOrEqual(15);
    const A2 = await member(broker.url, 'durable-a', true, false, again);
    await until(() => (ids(0, 80).every((m) => b.includes(m) || again.includes(m)) ? true : undefined));
    // held in flight at the crash and queued while dead: all delivered to the same id again
    expect(waiting.every((m) => again.includes(m))).toBe(true);
    expect(again).toContain(a[0]);
    await A2.endAsync(false, { properties: { sessionExpiryInterval: 0 } });
    await B.endAsync(false, { properties: { sessionExpiryInterval: 0 } });
  });
});
