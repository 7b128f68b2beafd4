import { Validator } from '@seriousme/openapi-schema-validator';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, createStandardModules } from '@steppelink/hub';
import { apiToken, startTestHub, type TestHub } from './support/hub.ts';

/**
 * Issue #24 item 3: the OpenAPI 3.1 document at /api/openapi.json, from a real hub with the
 * standard modules. It must be a valid OpenAPI 3.1 document, list every route the app serves
 * (enumerated from the app, so a route added without `doc(...)` fails here), document every
 * body, and every route that reads JSON must answer a malformed body the same way.
 */

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<string, { requestBody?: unknown; parameters?: { in: string; name: string }[] }>
  >;
};

/** Write routes that take no body (their action is the path). */
const NO_BODY = new Set([
  'POST /api/logout',
  'POST /api/devices/{id}/secret',
  'POST /api/notices/{id}/cancel',
  'POST /api/rules/reload',
  'DELETE /api/tokens/{id}',
  'DELETE /api/rules/zones/{id}',
]);

/** hono's `/a/:id{[0-9]+}/b` as OpenAPI's `/a/{id}/b`. */
const openApiPath = (p: string) => p.replace(/:(\w+)(\{[^}]*\})?\??/g, '{$1}');

describe('the OpenAPI document (issue #24)', () => {
  let th: TestHub;
  let app: Hono | undefined;
  let doc: Doc;
  let token: string;
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
    const r = await fetch(`${th.httpUrl}/api/openapi.json`); // no sign-in needed
    expect(r.status).toBe(200);
    doc = (await r.json()) as Doc;
    token = await apiToken(th.httpUrl, 'liming');
  });
  afterAll(() => th.close());

  /** Every route the app serves, as `METHOD /openapi/{path}` (middleware excluded). */
  const routes = () => {
    const seen = new Set<string>();
    for (const r of app!.routes) {
      if (r.method === 'ALL' || r.path.endsWith('*')) continue;
      seen.add(`${r.method} ${openApiPath(r.path)}`);
    }
    return [...seen].sort();
  };

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const v = new Validator();
    const res = await v.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(v.version).toBe('3.1');
  });

  it('lists every route the hub serves (a route without doc(...) fails here: see hub/src/api/openapi.ts)', () => {
    const all = routes();
    expect(all.length).toBeGreaterThan(50);
    const missing = all.filter((r) => {
      const [method, path] = r.split(' ') as [string, string];
      return !doc.paths[path]?.[method.toLowerCase()];
    });
    expect(missing, 'routes missing from /api/openapi.json').toEqual([]);
    const undescribed = all.filter((r) => {
      const [method, path] = r.split(' ') as [string, string];
      return !(doc.paths[path]?.[method.toLowerCase()] as { summary?: string } | undefined)?.summary;
    });
    expect(undescribed, 'routes without doc(...): a summary for the OpenAPI document').toEqual([]);
  });

  it('declares every path parameter and documents every request body', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const m of path.matchAll(/\{(\w+)\}/g)) {
          expect(
            op.parameters?.some((p) => p.in === 'path' && p.name === m[1]),
            `${method} ${path}: ${m[1]}`,
          ).toBe(true);
        }
        const key = `${method.toUpperCase()} ${path}`;
        if (['post', 'put', 'patch'].includes(method) && !NO_BODY.has(key)) {
          expect(op.requestBody, `${key} has no documented body`).toBeDefined();
        }
      }
    }
    // the bodies the issue found only in zod errors are documented with their fields
    const body = (path: string, method = 'post') =>
      JSON.stringify((doc.paths[path]?.[method]?.requestBody as object | undefined) ?? {});
    expect(body('/api/notices')).toContain('targets');
    expect(body('/api/checkins')).toContain('"pos"');
    expect(body('/api/reports')).toContain('livelihood');
    expect(body('/api/rosters/{unit}', 'put')).toContain('rotations');
  });

  it('answers a malformed JSON body with one error shape on every route that takes a body', async () => {
    const writes = routes().filter((r) => /^(POST|PUT|PATCH) /.test(r) && !NO_BODY.has(r));
    expect(writes.length).toBeGreaterThan(15);
    const codes = new Map<string, string>();
    for (const r of writes) {
      const [method, path] = r.split(' ') as [string, string];
      const url =
        th.httpUrl + path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'unit' ? '150824' : 'x'));
      const res = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"note": "unterminated',
      });
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      expect(typeof body.error?.message, r).toBe('string');
      codes.set(r, `${res.status} ${body.error?.code}`);
    }
    // a route may refuse first for who you are or what you name (403, 404, 415, 503); a 400 says
    // invalid_json, and none takes the garbage (2xx) or answers 422 for it
    const other = [...codes].filter(([, c]) => /^(2|422|400 (?!invalid_json$))/.test(c));
    expect(other).toEqual([]);
    const json = [...codes].filter(([, c]) => c === '400 invalid_json');
    expect(json.length).toBeGreaterThan(writes.length / 2);
  });
});
