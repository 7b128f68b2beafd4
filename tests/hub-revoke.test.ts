import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiToken,
  connackCode,
  connect,
  deviceLogin,
  startTestHub,
  type TestHub,
  until,
} from './support/hub.ts';

/** An admin revokes a device through the API while it is connected: it is cut off at once. */
describe('revoking a connected device', () => {
  let t: TestHub;
  let token: string;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${t.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    t = await startTestHub();
    token = await apiToken(t.httpUrl, 'liming');
  });
  afterAll(() => t.close());

  it('disabling a box closes its connection; it cannot come back until enabled', async () => {
    const box = 'stb-150824-104-0008';
    const c = await connect(t.mqttUrl, deviceLogin(box));
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    expect((await api('PATCH', `/api/devices/${box}`, { enabled: false })).status).toBe(200);
    await closed;
    c.end(true);
    expect(await connackCode(t.mqttUrl, deviceLogin(box))).toBe(5); // not authorized
    const gone = await until(() => {
      const p = t.hub.presence.get(box);
      return p && !p.online ? p : undefined;
    });
    expect(gone.lastReason).toBe('disabled');
    expect((await api('PATCH', `/api/devices/${box}`, { enabled: true })).status).toBe(200);
    expect(await connackCode(t.mqttUrl, deviceLogin(box))).toBe(0);
  });

  it('rotating a secret closes the connection made with the old one; the new one works', async () => {
    const box = 'stb-150824-104-0009';
    const c = await connect(t.mqttUrl, deviceLogin(box));
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    const r = await api('POST', `/api/devices/${box}/secret`);
    expect(r.status).toBe(200);
    const { secret } = (await r.json()) as { secret: string };
    await closed;
    c.end(true);
    expect(await connackCode(t.mqttUrl, deviceLogin(box))).toBe(4); // bad user name or password
    expect(await connackCode(t.mqttUrl, deviceLogin(box, { password: secret }))).toBe(0);
  });
});
