import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../registry/fixture.ts';
import { getJson, json, signIn, type TestApi, testApi } from '../test-support.ts';

const HOUR = 3600_000;
const post = (t: TestApi, path: string, body: unknown, headers: Record<string, string> = {}) =>
  t.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('API authentication', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await testApi({
      auth: { loginMaxFailuresPerIp: 8, remoteAddress: (c) => c.req.header('x-test-ip') ?? '10.8.0.20' },
    });
  });
  afterEach(() => t.close());

  it('answers 401 JSON to every /api route without credentials, even unknown ones', async () => {
    for (const path of ['/api/me', '/api/devices', '/api/units', '/api/no-such-route']) {
      const r = await getJson(t.app, path);
      expect(r.status, path).toBe(401);
      expect(r.body.error.code).toBe('unauthenticated');
      expect(r.res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('signs in with a HttpOnly SameSite=Strict cookie and tells who is signed in', async () => {
    const res = await post(t, '/api/login', { username: 'saren', password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^sl_session=sls_[\w-]{40,}/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Max-Age=43200/);
    const body = await json(res);
    expect(body.token).toBeUndefined(); // the browser never sees the session id in script
    expect(body.me.person).toEqual({ id: 'p-saren', name: '萨仁', lang: 'zh' });

    const me = await getJson(t.app, '/api/me', { cookie: setCookie.split(';')[0]! });
    expect(me.status).toBe(200);
    expect(me.body.roles).toEqual([
      {
        role: 'banner-duty-officer',
        unit: { id: '150824', level: 'banner', name: expect.objectContaining({ zh: '乌拉特中旗' }) },
      },
    ]);
    expect(me.body.scope.map((u: { id: string }) => u.id)).toEqual(['150824']);
    expect(me.body.adminOf).toEqual([]);
    expect(me.text).not.toMatch(/scrypt|password/i);
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const wrong = await post(t, '/api/login', { username: 'saren', password: 'not-the-password' });
    const unknown = await post(t, '/api/login', { username: 'nobody', password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await json(wrong)).toEqual(await json(unknown));
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('validates the login body', async () => {
    const r = await post(t, '/api/login', { username: 'saren' });
    expect(r.status).toBe(400);
    const body = await json(r);
    expect(body.error.code).toBe('invalid_body');
    expect(body.error.issues[0].path).toEqual(['password']);
    const notJson = await t.app.request('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    expect((await json(notJson)).error.code).toBe('bad_request');
    const huge = await post(t, '/api/login', { username: 'saren', password: 'x'.repeat(10_000) });
    expect(huge.status).toBe(413);
  });

  it('logs out: the session stops working', async () => {
    const { headers } = await signIn(t.app, 'bater');
    expect((await getJson(t.app, '/api/me', headers)).status).toBe(200);
    const out = await t.app.request('/api/logout', { method: 'POST', headers });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/sl_session=;.*Max-Age=0/);
    const after = await getJson(t.app, '/api/me', headers);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('invalid_credentials');
  });

  it('expires an idle session, and slides the expiry forward while it is used', async () => {
    const { headers } = await signIn(t.app, 'bater');
    t.clock.advance(11 * HOUR);
    const used = await getJson(t.app, '/api/me', headers);
    expect(used.status).toBe(200);
    expect(used.res.headers.get('set-cookie')).toMatch(/Max-Age=43200/); // renewed for another 12 h
    t.clock.advance(11 * HOUR); // 22 h after sign-in, 11 h after last use
    expect((await getJson(t.app, '/api/me', headers)).status).toBe(200);
    t.clock.advance(12 * HOUR + 1);
    const idle = await getJson(t.app, '/api/me', headers);
    expect(idle.status).toBe(401);
    expect(idle.body.error.code).toBe('session_expired');
  });

  it('ends a session at its maximum lifetime however often it is used', async () => {
    const { headers } = await signIn(t.app, 'bater');
    for (let h = 0; h < 7 * 24; h += 6) {
      t.clock.advance(6 * HOUR);
      const r = await getJson(t.app, '/api/me', headers);
      if (h + 6 < 7 * 24) expect(r.status, `after ${h + 6} h`).toBe(200);
      else expect(r.status).toBe(401);
    }
  });

  it('gives the phone app a bearer token instead of a cookie', async () => {
    const res = await post(t, '/api/login', { username: 'bater', password: DEMO_PASSWORD, mode: 'bearer' });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { token, expiresAt } = await json(res);
    expect(token).toMatch(/^sls_/);
    expect(expiresAt).toBe(t.clock.now() + 12 * HOUR);
    const me = await getJson(t.app, '/api/me', { authorization: `Bearer ${token}` });
    expect(me.body.person.id).toBe('p-bater');
    expect(me.body.via).toBe('session');
    expect((await getJson(t.app, '/api/me', { authorization: 'Bearer sls_forged' })).status).toBe(401);
    expect((await getJson(t.app, '/api/me', { authorization: 'Basic YmF0ZXI6eA==' })).status).toBe(401);
  });

  it('rate-limits failed sign-ins per username, then lets them in after the window', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await post(t, '/api/login', { username: 'wuyun', password: `guess-${i}-wrong` })).status).toBe(
        401,
      );
    }
    const blocked = await post(t, '/api/login', { username: 'wuyun', password: DEMO_PASSWORD });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await json(blocked)).error.code).toBe('too_many_attempts');
    // another person from the same office is not blocked
    expect((await post(t, '/api/login', { username: 'erdun', password: DEMO_PASSWORD })).status).toBe(200);
    t.clock.advance(15 * 60_000);
    expect((await post(t, '/api/login', { username: 'wuyun', password: DEMO_PASSWORD })).status).toBe(200);
    const metrics = await t.deps.metrics.getSingleMetricAsString('steppelink_login_failures_total');
    expect(metrics).toMatch(/reason="bad_credentials"} 5/);
    expect(metrics).toMatch(/reason="rate_limited"} 1/);
  });

  it('rate-limits failed sign-ins per client address across usernames', async () => {
    const ip = { 'x-test-ip': '203.0.113.9' };
    for (let i = 0; i < 8; i++)
      await post(t, '/api/login', { username: `user${i}`, password: 'wrong-password' }, ip);
    expect((await post(t, '/api/login', { username: 'saren', password: DEMO_PASSWORD }, ip)).status).toBe(
      429,
    );
    expect((await post(t, '/api/login', { username: 'saren', password: DEMO_PASSWORD })).status).toBe(200);
  });

  it('refuses cookie-authenticated writes from another origin', async () => {
    const { headers } = await signIn(t.app, 'liming');
    const res = await t.app.request('http://hub.local/api/devices/stb-150824-104-0007', {
      method: 'PATCH',
      headers: { ...headers, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('cross_origin');
    expect(t.registry.getDevice('stb-150824-104-0007')?.enabled).toBe(true);
  });
});

describe('API tokens', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await testApi();
  });
  afterEach(() => t.close());

  it('an admin creates a token for a person in their units; it acts as that person until revoked', async () => {
    const admin = await signIn(t.app, 'liming');
    const res = await t.app.request('/api/tokens', {
      method: 'POST',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ person: 'p-saren', label: '旗指挥平台大屏', expiresInDays: 30 }),
    });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created.token).toMatch(/^slt_/);
    const bearer = { authorization: `Bearer ${created.token}` };
    const me = await getJson(t.app, '/api/me', bearer);
    expect(me.body).toMatchObject({ person: { id: 'p-saren' }, via: 'token' });

    const list = await getJson(t.app, '/api/tokens', admin.headers);
    expect(list.body.items).toHaveLength(1);
    expect(list.text).not.toContain(created.token);
    expect(list.text).not.toMatch(/hash/);
    expect(list.body.items[0].lastUsedAt).toBe(t.clock.now());

    const del = await t.app.request(`/api/tokens/${created.id}`, {
      method: 'DELETE',
      headers: admin.headers,
    });
    expect(del.status).toBe(200);
    expect((await getJson(t.app, '/api/me', bearer)).status).toBe(401);
  });

  it('a token expires', async () => {
    const admin = await signIn(t.app, 'liming');
    const res = await t.app.request('/api/tokens', {
      method: 'POST',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ person: 'p-bater', label: 'phone', expiresInDays: 1 }),
    });
    const { token } = await json(res);
    t.clock.advance(24 * HOUR + 1);
    expect((await getJson(t.app, '/api/me', { authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('someone who is not admin of all the person’s units may not create one', async () => {
    const saren = await signIn(t.app, 'saren');
    const res = await t.app.request('/api/tokens', {
      method: 'POST',
      headers: { ...saren.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ person: 'p-bater', label: 'x' }),
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('forbidden');
  });
});
