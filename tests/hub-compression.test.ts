import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { dashboardAssetsDir } from '@steppelink/dashboard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboardHub } from './support/browser.ts';
import { type Box, connectBox } from './support/devices.ts';
import { apiToken, type TestHub } from './support/hub.ts';

/**
 * Issue 23 smaller item: static assets and API JSON are served compressed to browsers that accept
 * it, and decode to exactly what was compressed; the live incident stream is not compressed (a
 * compressor would hold its events back) and an SOS still arrives on it while it is open.
 * Raw node:http requests, so the bytes on the wire are what is checked (fetch would decode them).
 */
interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(url: string, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('compression of static assets and API JSON', () => {
  let t: TestHub;
  let token = '';
  let box: Box | undefined;
  const assets = dashboardAssetsDir();
  const script = () => readdirSync(join(assets, 'assets')).find((f) => /^index-.*\.js$/.test(f))!;

  beforeAll(async () => {
    t = await startDashboardHub();
    token = await apiToken(t.httpUrl, 'saren');
  });
  afterAll(async () => {
    await box?.close();
    await t?.close();
  });

  it('sends the build’s brotli copy of a script to a browser that accepts br, and it decodes to the script', async () => {
    const name = script();
    const res = await get(`${t.httpUrl}/assets/${name}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    const original = readFileSync(join(assets, 'assets', name));
    expect(res.body.length).toBeLessThan(original.length / 2);
    expect(brotliDecompressSync(res.body).equals(original)).toBe(true);
  });

  it('sends gzip to a browser without brotli, and the plain file to one that accepts nothing', async () => {
    const name = script();
    const original = readFileSync(join(assets, 'assets', name));
    const gz = await get(`${t.httpUrl}/assets/${name}`, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(original)).toBe(true);
    const plain = await get(`${t.httpUrl}/assets/${name}`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(original)).toBe(true);
  });

  it('gzips API JSON and it decodes to the same answer as the uncompressed one', async () => {
    const url = `${t.httpUrl}/api/devices?limit=200`;
    const auth = { authorization: `Bearer ${token}` };
    const zipped = await get(url, { ...auth, 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-length']).toBeUndefined();
    const plain = await get(url, auth);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(1024);
    const decoded = JSON.parse(gunzipSync(zipped.body).toString('utf8'));
    expect(decoded).toEqual(JSON.parse(plain.body.toString('utf8')));
    expect(zipped.body.length).toBeLessThan(plain.body.length / 3);
  });

  it('leaves the live stream uncompressed, and an SOS arrives on it while it is open', async () => {
    const received: string[] = [];
    let headers: Record<string, string | string[] | undefined> = {};
    const req = request(`${t.httpUrl}/api/incidents/stream`, {
      headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip, deflate, br' },
    });
    const opened = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (s: string) => received.push(s));
        resolve();
      });
      req.on('error', reject);
    });
    req.end();
    await opened;
    expect(headers['content-type']).toMatch(/^text\/event-stream/);
    expect(headers['content-encoding']).toBeUndefined();
    box = await connectBox(t.mqttUrl, 'stb-150824-104-0007');
    await box.sos({ category: 'medical' });
    // the event reaches the reader on the open stream, not when it ends (the test's timeout bounds the wait)
    while (!received.join('').includes('event: incident')) await new Promise((r) => setTimeout(r, 20));
    expect(req.destroyed).toBe(false);
    req.destroy();
  });
});
