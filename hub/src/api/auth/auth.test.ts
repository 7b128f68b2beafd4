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
      auth: { remoteAddress: (c) => c.req.header('x-test-ip') ?? '10.8.0.20' },
      attempts: { address: { freeFailures: 8, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 } },
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
    // one error shape for malformed JSON on every route (#24)
    expect((await json(notJson)).error.code).toBe('invalid_json');
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
    await t.clock.advance(11 * HOUR);
    const used = await getJson(t.app, '/api/me', headers);
    expect(used.status).toBe(200);
    expect(used.res.headers.get('set-cookie')).toMatch(/Max-Age=43200/); // renewed for another 12 h
    await t.clock.advance(11 * HOUR); // 22 h after sign-in, 11 h after last use
    expect((await getJson(t.app, '/api/me', headers)).status).toBe(200);
    await t.clock.advance(12 * HOUR + 1);
    const idle = await getJson(t.app, '/api/me', headers);
    expect(idle.status).toBe(401);
    expect(idle.body.error.code).toBe('session_expired');
  });

  it('ends a session at its maximum lifetime however often it is used', async () => {
    const { headers } = await signIn(t.app, 'bater');
    for (let h = 0; h < 7 * 24; h += 6) {
      await t.clock.advance(6 * HOUR);
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

  it('throttles failed sign-ins per account with a growing delay, and never locks the person out', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await post(
        t,
        '/api/login',
        { username: 'wuyun', password: `guess-${i}-wrong` },
        { 'x-test-ip': `198.51.100.${i}` },
      );
      expect(r.status).toBe(401);
    }
    const blocked = await post(t, '/api/login', { username: 'wuyun', password: DEMO_PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('1');
    expect((await json(blocked)).error.code).toBe('too_many_attempts');
    // another person from the same office is not slowed
    expect((await post(t, '/api/login', { username: 'erdun', password: DEMO_PASSWORD })).status).toBe(200);
    await t.clock.advance(1_000);
    expect((await post(t, '/api/login', { username: 'wuyun', password: DEMO_PASSWORD })).status).toBe(200);
    const metrics = await t.deps.metrics.metrics();
    expect(metrics).toMatch(/steppelink_login_failures_total{reason="bad_credentials"} 5/);
    expect(metrics).toMatch(/steppelink_login_failures_total{reason="rate_limited"} 1/);
    expect(metrics).toMatch(/steppelink_auth_refused_total{via="http",reason="throttled"} 1/);
  });

  it('reserves the attempt before the password check: 40 parallel guesses get 5 checks', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post(
          t,
          '/api/login',
          { username: 'bater', password: `parallel-${i}` },
          { 'x-test-ip': `192.0.2.${i}` },
        ),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
  });

  it("a browser that signed in before keeps working while the person's account is under attack", async () => {
    const first = await post(t, '/api/login', { username: 'bater', password: DEMO_PASSWORD });
    const known = (first.headers.get('set-cookie') ?? '').match(/slk_\w+=[\w.-]+/)?.[0];
    expect(known).toBeDefined();
    for (let i = 0; i < 30; i++) {
      await post(
        t,
        '/api/login',
        { username: 'bater', password: `attack-${i}` },
        { 'x-test-ip': `203.0.113.${i}` },
      );
    }
    expect((await post(t, '/api/login', { username: 'bater', password: DEMO_PASSWORD })).status).toBe(429);
    const mine = await post(
      t,
      '/api/login',
      { username: 'bater', password: DEMO_PASSWORD },
      { cookie: known! },
    );
    expect(mine.status).toBe(200);
    // a forged or another account's cookie is not known
    const forged = known!.replace(/=.*$/, '=AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(
      (await post(t, '/api/login', { username: 'bater', password: DEMO_PASSWORD }, { cookie: forged }))
        .status,
    ).toBe(429);
  });

  it('throttles failures per client address across usernames; known browsers there keep working', async () => {
    const office = { 'x-test-ip': '203.0.113.9' };
    const saren = await post(t, '/api/login', { username: 'saren', password: DEMO_PASSWORD }, office);
    const known = (saren.headers.get('set-cookie') ?? '').match(/slk_\w+=[\w.-]+/)![0];
    for (let i = 0; i < 8; i++)
      await post(t, '/api/login', { username: `user${i}`, password: 'wrong-password' }, office);
    expect((await post(t, '/api/login', { username: 'erdun', password: DEMO_PASSWORD }, office)).status).toBe(
      429,
    );
    expect(
      (
        await post(
          t,
          '/api/login',
          { username: 'saren', password: DEMO_PASSWORD },
          { ...office, cookie: known },
        )
      ).status,
    ).toBe(200);
    expect((await post(t, '/api/login', { username: 'erdun', password: DEMO_PASSWORD })).status).toBe(200);
  });

  it('refuses writes from another origin on every route, sign-out included', async () => {
    const { headers } = await signIn(t.app, 'liming');
    const evil = { origin: 'http://evil.example', 'content-type': 'application/json' };
    const res = await t.app.request('http://hub.local/api/devices/stb-150824-104-0007', {
      method: 'PATCH',
      headers: { ...headers, ...evil },
      body: JSON.stringify({ enabled: false }),
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('cross_origin');
    expect(t.registry.getDevice('stb-150824-104-0007')?.enabled).toBe(true);
    const out = await t.app.request('http://hub.local/api/logout', {
      method: 'POST',
      headers: { ...headers, ...evil },
    });
    expect(out.status).toBe(403);
    expect((await getJson(t.app, '/api/me', headers)).status).toBe(200);
    const sameSite = await t.app.request('http://hub.local/api/logout', {
      method: 'POST',
      headers: { ...headers, 'sec-fetch-site': 'cross-site' },
    });
    expect(sameSite.status).toBe(403);
    const own = await t.app.request('http://hub.local/api/logout', {
      method: 'POST',
      headers: { ...headers, origin: 'http://hub.local' },
    });
    expect(own.status).toBe(200);
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
    await t.clock.advance(24 * HOUR + 1);
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
