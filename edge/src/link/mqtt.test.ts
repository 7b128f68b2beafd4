import { downWildcard } from '@steppelink/protocols';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tests/support/ports.ts';
import { type MosquittoHandle, startMosquitto } from '../../../tests/support/mosquitto.ts';
import { systemTimers } from '../clock.ts';
import { mqttConnectionFactory } from './mqtt.ts';
import { LinkSupervisor } from './supervisor.ts';

const DEV = 'trk-patrol-150825-03';
let broker: MosquittoHandle;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.close();
});

function link(urls: string[]) {
  return new LinkSupervisor({
    urls,
    deviceId: DEV,
    secret: 'secret-03',
    connect: mqttConnectionFactory,
    timers: systemTimers,
    subscriptions: [downWildcard(DEV)],
    reconnectInitialMs: 50,
    reconnectMaxMs: 200,
    connectTimeoutMs: 2_000,
  });
}
const once = <T>(l: LinkSupervisor, event: 'online' | 'offline') =>
  new Promise<T>((resolve) => {
    const off = l.on(event, (e) => {
      off();
      resolve(e as T);
    });
  });

describe('mqtt connection through the supervisor, against mosquitto', () => {
  it('fails over from a dead hub URL to a live one and gets PUBACKs', async () => {
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    const l = link([dead, broker.url]);
    const online = once<{ url: string }>(l, 'online');
    l.start();
    expect((await online).url).toBe(broker.url);
    const err = await new Promise<Error | undefined>((resolve) => {
      expect(l.publish(`sl/v1/${DEV}/hb`, Buffer.from('{}'), resolve)).toBe(true);
    });
    expect(err).toBeUndefined();
    await l.close();
  });

  it('keeps the session: downlink queued while the device was away arrives on reconnect', async () => {
    const l = link([broker.url]);
    let online = once(l, 'online');
    l.start();
    await online;
    await l.close();
    const hub = await mqtt.connectAsync(broker.url, { clientId: 'hub-test' });
    await hub.publishAsync(`sl/v1/${DEV}/down/config`, '{"queued":true}', { qos: 1 });
    await hub.endAsync();
    const again = link([broker.url]);
    const got = new Promise<string>((resolve) => again.on('message', (m) => resolve(m.payload.toString())));
    online = once(again, 'online');
    again.start();
    await online;
    expect(await got).toBe('{"queued":true}');
    await again.close();
  });

  it('goes offline when the broker stops and comes back by itself', async () => {
    const l = link([broker.url]);
    let online = once(l, 'online');
    l.start();
    await online;
    const offline = once<{ reason: string }>(l, 'offline');
    await broker.stop();
    await offline;
    online = once(l, 'online');
    await broker.restart();
    await online;
    expect(l.state).toBe('online');
    await l.close();
  });
});
