import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, createStandardModules } from '@steppelink/hub';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { signInCookies } from './support.ts';

/**
 * Issue #22, attack 4, as a class: every state-changing route the hub serves — found by
 * enumerating the running app's routes, modules' included — refuses a request from another
 * origin carrying a valid session cookie, before the route runs.
 */
describe('cross-origin writes (issue #22)', () => {
  let th: TestHub;
  let app: Hono | undefined;
  beforeAll(async () => {
    const modules = createStandardModules({ incidents: { jobs: false }, rulesTick: false });
    th = await startTestHub({
      modules: modules.list,
      app: (deps) => {
        const a = createApi(deps);
        app = a as unknown as Hono;
        return a;
      },
    });
  });
  afterAll(() => th.close());

  const writes = () => {
    const seen = new Set<string>();
    for (const r of app!.routes) {
      if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method)) continue;
      seen.add(`${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, 'x-$1')}`);
    }
    return [...seen].sort();
  };

  it('4: cross-origin POST /api/logout does not end the session', async () => {
    const { session } = await signInCookies(th.httpUrl, 'saren');
    const r = await fetch(`${th.httpUrl}/api/logout`, {
      method: 'POST',
      headers: { cookie: session, origin: 'http://evil.example' },
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('cross_origin');
    expect((await fetch(`${th.httpUrl}/api/me`, { headers: { cookie: session } })).status).toBe(200);
  });

  it('every state-changing route refuses another origin (and a cross-site fetch) before it runs', async () => {
    const routes = writes();
    expect(routes).toEqual(
      expect.arrayContaining(['POST /api/login', 'POST /api/logout', 'POST /api/registry/import']),
    );
    expect(routes.some((r) => r.includes('/incidents'))).toBe(true); // modules' routes are in the list
    const { session } = await signInCookies(th.httpUrl, 'liming');
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      for (const hostile of <Record<string, string>[]>[
        { origin: 'http://evil.example' },
        { origin: 'null' },
        { 'sec-fetch-site': 'cross-site' },
      ]) {
        const r = await fetch(`${th.httpUrl}${path}`, {
          method,
          headers: { cookie: session, 'content-type': 'application/json', ...hostile },
          body: '{}',
        });
        expect(r.status, `${route} with ${JSON.stringify(hostile)}`).toBe(403);
      }
    }
    expect((await fetch(`${th.httpUrl}/api/me`, { headers: { cookie: session } })).status).toBe(200);
  });
});
