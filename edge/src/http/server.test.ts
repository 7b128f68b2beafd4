import { request } from 'node:http';
import { fixtures, type SosAck } from '@steppelink/protocols';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, type EdgeAgent } from '../agent.ts';
import { createMemoryOutbox } from '../outbox/memory.ts';
import { createFakeLink } from '../testing/fake-link.ts';
import { LocalServer } from './server.ts';

const DEV = 'stb-150824-104-0007';
let agent: EdgeAgent;
let server: LocalServer;
let link: ReturnType<typeof createFakeLink>;

beforeEach(async () => {
  link = createFakeLink({ autoAck: false });
  agent = createAgent({
    deviceId: DEV,
    secret: 'qiqige-0007-secret',
    hubUrls: ['mqtt://hub.bayannur.example:1883'],
    units: ['150824'],
    store: createMemoryOutbox(),
    connect: link.factory,
    settings: { lang: 'mn' },
  });
  await agent.start();
  link.current()?.handlers.connect(false);
  server = new LocalServer({ agent, port: 0, allowOrigins: ['http://tv-app.local'] });
  await server.start();
});
afterEach(async () => {
  await server.close();
  await agent.close();
});

const post = (path: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** fetch() may not set Host; node:http may. */
const rawPost = (path: string, host: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: 'POST',
        headers: { host, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end('{}');
  });

describe('local HTTP server', () => {
  it('presses SOS and shows "sending…", then "received by" after the sos-ack', async () => {
    const r = await post('/sos', { category: 'medical' });
    expect(r.status).toBe(202);
    expect(await r.json()).toMatchObject({ state: 'sending', message: { en: 'Sending your SOS…' } });
    link.ackAll();
    expect(((await (await fetch(`${server.url}/sos/status`)).json()) as { state: string }).state).toBe(
      'delivered',
    );
    const ack = fixtures['sos-ack'][0] as SosAck;
    link.deliver(`sl/v1/${DEV}/down/sos-ack`, { ...ack, sosId: agent.sos.status().raiseIds[0] });
    const st = (await (await fetch(`${server.url}/sos/status`)).json()) as Record<string, unknown>;
    expect(st).toMatchObject({ state: 'acknowledged', ack: { by: { name: '巴特尔' } } });
  });

  it('cancels only with the second confirmation', async () => {
    await post('/sos');
    expect((await post('/sos/cancel', { confirm: true })).status).toBe(409);
    const first = await post('/sos/cancel');
    expect(await first.json()).toMatchObject({ state: 'confirm-cancel' });
    const second = await post('/sos/cancel', { confirm: true });
    expect(await second.json()).toMatchObject({ state: 'cancelling' });
  });

  it('refuses bad requests with a reason and never crashes', async () => {
    expect((await post('/sos', { category: 'volcano' })).status).toBe(400);
    expect(await (await post('/sos', { category: 'volcano' })).json()).toMatchObject({
      error: expect.stringMatching(/^category: /),
    });
    expect((await post('/sos', { extra: 1 })).status).toBe(400);
    expect((await post('/sos', '{oops')).status).toBe(400);
    expect((await post('/sos', 'x'.repeat(10_000))).status).toBe(413);
    expect((await fetch(`${server.url}/sos`, { method: 'POST', body: '{}' })).status).toBe(415);
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
    expect(await rawPost('/sos', 'evil.example')).toBe(421); // DNS rebinding
    expect(await rawPost('/sos', `127.0.0.1:${server.port}`)).toBe(202);
    await post('/sos/cancel');
    await post('/sos/cancel', { confirm: true });
    expect(agent.sos.state).toBe('cancelling');
  });

  it('answers CORS preflights only for allowed TV-app origins', async () => {
    const pre = (origin: string) => fetch(`${server.url}/sos`, { method: 'OPTIONS', headers: { origin } });
    expect((await pre('http://tv-app.local')).status).toBe(204);
    expect((await pre('http://ads.example')).status).toBe(403);
  });

  it('serves the notice page in the household language and receipts a notice read from it', async () => {
    const page = await (await fetch(`${server.url}/`)).text();
    expect(page).toContain('lang="mn-Mong"');
    expect(page).toContain('ᠮᠡᠳᠡᠭᠳᠡᠯ');
    const now = Date.now();
    link.deliver('sl/v1/unit/150824/notice', {
      ...fixtures.notice[0],
      validFrom: now - 1_000,
      expiresAt: now + 3_600_000,
    });
    const list = (await (await fetch(`${server.url}/api/notices`)).json()) as {
      notices: { noticeId: string }[];
    };
    expect(list.notices.map((n) => n.noticeId)).toEqual(['ntc-20251125-blizzard']);
    expect((await post('/api/notices/ntc-20251125-blizzard/read')).status).toBe(200);
    expect((await post('/api/notices/ntc-unknown/read')).status).toBe(404);
    const receipts = link
      .messages()
      .filter((m) => m.topic.endsWith('/receipt'))
      .map((m) => m.msg.state);
    expect(receipts).toEqual(['delivered', 'read']);
  });
});
