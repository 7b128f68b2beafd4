import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEnv } from '../context.ts';
import { getJson, json, signIn, type TestApi, testApi } from '../test-support.ts';

describe('health, metrics, dead letters and module routes', () => {
  let t: TestApi;
  afterEach(() => t.close());

  it('tells anyone the health state, and signed-in people the details', async () => {
    t = await testApi();
    const anon = await getJson(t.app, '/api/health');
    expect(anon.status).toBe(200);
    expect(anon.body).toEqual({ state: 'up' });
    const { headers } = await signIn(t.app, 'bater');
    const full = await getJson(t.app, '/api/health', headers);
    expect(full.body).toMatchObject({
      state: 'up',
      components: { broker: { state: 'up' } },
      queues: { inbox: 0 },
    });
  });

  it('answers 503 when the hub is down', async () => {
    t = await testApi({
      health: { state: 'down', version: '0.1.0', uptimeS: 1, components: {}, queues: {} },
    });
    const r = await getJson(t.app, '/api/health');
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ state: 'down' });
  });

  it('serves Prometheus metrics to loopback clients only when no token is configured', async () => {
    let addr = '127.0.0.1';
    t = await testApi({ auth: { remoteAddress: () => addr } });
    await getJson(t.app, '/api/health');
    const local = await t.app.request('/metrics');
    expect(local.status).toBe(200);
    expect(local.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await local.text()).toMatch(
      /steppelink_http_requests_total\{method="GET",route="\/api\/health",status="200"\} 1/,
    );
    addr = '10.21.4.7';
    const remote = await t.app.request('/metrics');
    expect(remote.status).toBe(403);
    expect((await json(remote)).error.message).toMatch(/STEPPELINK_METRICS_TOKEN/);
  });

  it('serves metrics to whoever presents the metrics token, when one is configured', async () => {
    const token = 'prom-scrape-token-150800-league';
    t = await testApi({ auth: { metricsToken: token, remoteAddress: () => '127.0.0.1' } });
    expect((await t.app.request('/metrics')).status).toBe(401);
    expect(
      (await t.app.request('/metrics', { headers: { authorization: 'Bearer wrong-token-of-same-size!' } }))
        .status,
    ).toBe(401);
    expect((await t.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
  });

  it('refuses a metrics token too short to be one', async () => {
    await expect(testApi({ auth: { metricsToken: 'short' } })).rejects.toThrow(/at least 16 characters/);
    t = await testApi(); // for afterEach
  });

  it('shows dead letters of the caller’s devices; league admins also see unknown devices', async () => {
    t = await testApi();
    const at = t.clock.now();
    t.deadLetters.add({
      at,
      topic: 'sl/v1/stb-150824-104-0007/pos',
      deviceId: 'stb-150824-104-0007',
      clientId: 'stb-150824-104-0007',
      reason: 'schema',
      detail: 'lat: expected number',
      excerpt: '{"v":1,"lat":"北"}',
    });
    t.deadLetters.add({
      at,
      topic: 'sl/v1/stb-150825-201-0021/hb',
      deviceId: 'stb-150825-201-0021',
      clientId: 'stb-150825-201-0021',
      reason: 'not_json',
      detail: 'Unexpected token',
      excerpt: 'garbage',
    });
    t.deadLetters.add({
      at,
      topic: 'sl/v1/stb-unknown-9999/pos',
      deviceId: null,
      clientId: null,
      reason: 'unknown_device',
      detail: 'no device stb-unknown-9999',
      excerpt: '{}',
    });
    const saren = await getJson(t.app, '/api/dead-letters', (await signIn(t.app, 'saren')).headers);
    expect(saren.body.items.map((d: { deviceId: string }) => d.deviceId)).toEqual(['stb-150824-104-0007']);
    expect(saren.body.counts).toBeNull();
    const liming = (await signIn(t.app, 'liming')).headers;
    const all = await getJson(t.app, '/api/dead-letters', liming);
    expect(all.body.items).toHaveLength(3);
    expect(all.body.counts).toMatchObject({ schema: 1, not_json: 1, unknown_device: 1 });
    const filtered = await getJson(t.app, '/api/dead-letters?reason=unknown_device&limit=5', liming);
    expect(filtered.body.items.map((d: { topic: string }) => d.topic)).toEqual([
      'sl/v1/stb-unknown-9999/pos',
    ]);
    expect((await getJson(t.app, '/api/dead-letters?reason=lost', liming)).status).toBe(400);
  });

  it('mounts module routes behind authentication', async () => {
    const module = {
      name: 'roster',
      start() {},
      close() {},
      routes: new Hono<ApiEnv>().get('/roster', (c) => c.json({ who: c.get('principal').personId })),
    };
    t = await testApi({ modules: [module] });
    expect((await getJson(t.app, '/api/roster')).status).toBe(401);
    const r = await getJson(t.app, '/api/roster', (await signIn(t.app, 'wuyun')).headers);
    expect(r.body).toEqual({ who: 'p-wuyun' });
  });
});
