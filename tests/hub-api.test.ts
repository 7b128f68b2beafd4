import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { hc } from 'hono/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppType } from '@steppelink/hub';
import { type TestApi, testApi, DEMO_PASSWORD } from '@steppelink/hub/testing';

/** The API on a real socket, driven by the typed client the dashboard uses. */
describe('hub API over a real HTTP server', () => {
  let t: TestApi;
  let server: ServerType;
  let base: string;
  beforeAll(async () => {
    t = await testApi();
    server = await new Promise<ServerType>((ready) => {
      const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ready(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
    await t.close();
  });

  it('signs in with a cookie and reads scoped data through hc<AppType>', async () => {
    const anon = hc<AppType>(base);
    const login = await anon.api.login.$post({
      json: { username: 'saren', password: DEMO_PASSWORD, mode: 'cookie' },
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const client = hc<AppType>(base, { headers: { cookie } });

    const me = await client.api.me.$get();
    expect(me.status).toBe(200);
    if (me.status === 200) expect((await me.json()).person.name).toBe('萨仁');

    const devices = await client.api.devices.$get({ query: { unit: '150824-104-007-03', kind: 'settop' } });
    expect(devices.status).toBe(200);
    if (devices.status === 200) {
      const body = await devices.json();
      expect(body.items.map((d) => d.id).sort()).toEqual([
        'stb-150824-104-0007',
        'stb-150824-104-0008',
        'stb-150824-104-0009',
        'stb-disabled-0001',
      ]);
    }
    const other = await client.api.devices.$get({ query: { unit: '150825' } });
    expect(other.status).toBe(403);

    expect((await anon.api.me.$get()).status).toBe(401);
  });

  it('serves /metrics to a loopback client on the real socket', async () => {
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/steppelink_http_requests_total/);
  });
});
