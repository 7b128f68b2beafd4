import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDashboard } from './dashboard-static.ts';

describe('dashboard static site in front of the API', () => {
  let dir: string;
  const api = { fetch: (req: Request) => new Response(`api:${new URL(req.url).pathname}`, { status: 418 }) };
  let site: ReturnType<typeof withDashboard>;
  const get = (path: string, init?: RequestInit) => site.fetch(new Request(`http://hub${path}`, init));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'steppelink-dash-'));
    mkdirSync(join(dir, 'dist/assets'), { recursive: true });
    mkdirSync(join(dir, 'tiles/7/101/48'), { recursive: true });
    writeFileSync(join(dir, 'dist/index.html'), '<!doctype html><title>SteppeLink</title>');
    writeFileSync(join(dir, 'dist/assets/index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'tiles/7/101/48.png'), 'png');
    site = withDashboard(api, {
      assetsDir: join(dir, 'dist'),
      tilesDir: join(dir, 'tiles'),
      mapCenter: { lat: 42, lon: 107.5, zoom: 7 },
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves index.html at / and for app paths, uncached, with a same-origin CSP', async () => {
    for (const path of ['/', '/board', '/index.html']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<title>SteppeLink</title>');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
  });

  it('serves hashed assets as immutable and 404s a missing one', async () => {
    const res = await get('/assets/index-abc123.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('content-type')).toContain('javascript');
    expect((await get('/assets/nope.js')).status).toBe(404);
    expect((await get('/assets/..%2f..%2fpackage.json')).status).toBe(404); // no way out of dist
  });

  it('serves local tiles and tells the app where they are', async () => {
    expect(await (await get('/tiles/7/101/48.png')).text()).toBe('png');
    expect((await get('/tiles/7/101/49.png')).status).toBe(404);
    expect(await (await get('/dashboard-config.json')).json()).toEqual({
      map: {
        tiles: { url: '/tiles/{z}/{x}/{y}.png', maxZoom: 14, attribution: '' },
        center: { lat: 42, lon: 107.5, zoom: 7 },
      },
    });
  });

  it('leaves the API, metrics, MQTT/WS and every non-GET to the API app', async () => {
    for (const path of ['/api/me', '/api', '/metrics', '/mqtt']) {
      expect(await (await get(path)).text()).toBe(`api:${path}`);
    }
    expect((await get('/', { method: 'POST' })).status).toBe(418);
  });

  it('answers 503 with the fix when the dashboard was never built', async () => {
    const bare = withDashboard(api, { assetsDir: join(dir, 'missing') });
    const res = await bare.fetch(new Request('http://hub/'));
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build -w dashboard');
  });
});
