import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeOrThrow, upTopic } from '@steppelink/protocols';
import { formatDegMin } from '@steppelink/protocols/geo-format';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStandardModules, type IncidentView } from '@steppelink/hub';
import { SMALL_LEAGUE } from '@steppelink/hub/testing';
import { launchBrowser } from './support/browser.ts';
import { type Box, connectBox } from './support/devices.ts';
import { apiToken, startTestHub, type TestHub, until } from './support/hub.ts';

/**
 * Issue #24, rescue handover: a household SOS over MQTT from 其其格's box with its position, more
 * fixes after it, a dispatch by the banner duty officer, then the handover through real HTTP: the
 * JSON (position forms, age, accuracy, members, timeline, nearest well and road), the GPX parsed
 * by a real XML parser (chromium's DOMParser), the printed page in zh, mn and en, the dispatch
 * webhook's POST to a local receiver, and an officer of the other banner refused.
 */
const BOX = 'stb-150824-104-0007';
const MIN = 60_000;

/** 其其格's household with what the handover needs about its members. */
const registry = {
  ...SMALL_LEAGUE,
  households: SMALL_LEAGUE.households.map((h) =>
    h.id === 'hh-150824-104-0007'
      ? {
          ...h,
          members: [
            { name: '其其格', phone: '15247801234', born: 1979 },
            { name: '巴雅尔', born: 1948, medical: '高血压，服硝苯地平', note: '行动不便，需担架' },
          ],
        }
      : h,
  ),
};

interface Handover {
  format: string;
  position: {
    lat: number;
    lon: number;
    source: string;
    at: number;
    ageS: number;
    accuracyM: number | null;
    formats: { decimal: string; dd: string; dm: string; dms: string };
  };
  household: { name: string; members: { name: string; age: number | null; medical: string | null }[] };
  incident: { id: string; state: string; dispatch: { rescue: string } | null };
  nearest: {
    water: { id: string; distanceM: number } | null;
    road: { id: string; distanceM: number; bearingDeg: number } | null;
  };
  timeline: { type: string; actor: { name: string } | null }[];
  track: { points: { t: number; lat: number; lon: number }[] };
  links: { gpx: string; html: Record<'zh' | 'mn' | 'en', string> };
}

describe('rescue handover (issue #24)', () => {
  let th: TestHub;
  let box: Box;
  let receiver: Server;
  const received: { headers: Record<string, unknown>; body: Record<string, unknown> }[] = [];
  let saren: string; // banner duty officer, Urad Middle Banner
  let zhangli: string; // banner duty officer, Urad Rear Banner: not the incident's banner
  let browser: Browser;
  let incidentId: string;
  const get = (token: string, path: string) =>
    fetch(`${th.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(data) as Record<string, unknown> });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const { port } = receiver.address() as AddressInfo;
    const modules = createStandardModules({
      incidents: { jobs: false },
      rulesTick: false,
      dispatchWebhook: {
        url: `http://127.0.0.1:${port}/dispatch`,
        headers: { authorization: 'Bearer dispatch-test' },
      },
    });
    th = await startTestHub({ registry, modules: modules.list });
    const admin = await apiToken(th.httpUrl, 'liming');
    // the gacha's well and the provincial road, as zones (the rules' water and road kinds)
    const put = (id: string, feature: unknown) =>
      fetch(`${th.httpUrl}/api/rules/zones/${id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(feature),
      });
    const well = await put('well-bayan-hatai-3', {
      type: 'Feature',
      properties: {
        id: 'well-bayan-hatai-3',
        kind: 'water',
        unitId: '150824-104-007',
        name: { zh: '巴音哈太三组水井', mn: 'ᠪᠠᠶᠠᠨ ᠬᠠᠳᠠᠢ ᠬᠤᠳᠳᠤᠭ', en: 'Bayan Hatai group 3 well' },
      },
      geometry: { type: 'Point', coordinates: [108.45, 42.13] },
    });
    expect(well.status).toBe(201);
    const road = await put('road-s212', {
      type: 'Feature',
      properties: {
        id: 'road-s212',
        kind: 'road',
        unitId: '150824',
        surface: 'paved',
        name: { zh: 'S212 省道', en: 'Provincial road S212' },
      },
      geometry: {
        type: 'LineString',
        coordinates: [
          [108.3, 42.1],
          [108.6, 42.1],
        ],
      },
    });
    expect(road.status).toBe(201);
    // a road given as a point is refused with the reason
    const bad = await put('road-bad', {
      type: 'Feature',
      properties: { id: 'road-bad', kind: 'road', unitId: '150824', name: { zh: '错' } },
      geometry: { type: 'Point', coordinates: [108.3, 42.1] },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('a road zone needs a LineString geometry');

    saren = await apiToken(th.httpUrl, 'saren');
    zhangli = await apiToken(th.httpUrl, 'zhangli');
    box = await connectBox(th.mqttUrl, BOX);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await box?.close();
    await th?.close();
    await new Promise((r) => receiver?.close(r));
  });

  it('exports the SOS with its position, members and timeline, and sends it with the dispatch', async () => {
    const now = Date.now();
    // the box's receiver reported fixes before the press…
    await box.client.publishAsync(
      upTopic(BOX, 'pos'),
      encodeOrThrow('pos', {
        v: 1,
        id: `${BOX}:pos:before`,
        ts: now,
        t0: now - 40 * MIN,
        src: 'gpsd',
        fixes: [
          [0, 42.118, 108.431, 1290, 0.9, 0, null],
          [10 * MIN, 42.1201, 108.4352, 1291, 1.0, 0, null],
        ],
      }),
      { qos: 1 },
    );
    await box.sos({ category: 'medical', note: '老人胸口疼', pos: { lat: 42.1213, lon: 108.4382, acc: 12 } });
    const opened = await until(async () => {
      const r = await get(saren, '/api/incidents?state=open');
      const b = (await r.json()) as { items: IncidentView[] };
      return b.items.find((i) => i.deviceId === BOX);
    });
    incidentId = opened.id;
    // …and one after it: the newest fix is where the crew goes
    const after = Math.max(Date.now(), opened.sourceTs + 1);
    await box.client.publishAsync(
      upTopic(BOX, 'pos'),
      encodeOrThrow('pos', {
        v: 1,
        id: `${BOX}:pos:after`,
        ts: after,
        t0: after,
        src: 'gpsd',
        fixes: [[0, 42.125, 108.44, 1292, 1.2, 0, null]],
      }),
      { qos: 1 },
    );
    await until(async () => {
      const r = await get(saren, `/api/incidents/${incidentId}`);
      const b = (await r.json()) as { positions: unknown[] };
      return b.positions.length > 0 ? true : undefined;
    });

    const dispatch = await fetch(`${th.httpUrl}/api/incidents/${incidentId}/dispatch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${saren}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rescue: 'helicopter', note: '医疗直升机从巴彦淖尔起飞' }),
    });
    expect(dispatch.status).toBe(200);

    // JSON
    const r = await get(saren, `/api/incidents/${incidentId}/handover`);
    expect(r.status).toBe(200);
    const h = (await r.json()) as Handover;
    expect(h.format).toBe('steppelink.handover/1');
    expect(h.incident).toMatchObject({
      id: incidentId,
      state: 'dispatched',
      dispatch: { rescue: 'helicopter' },
    });
    expect(h.position).toMatchObject({
      lat: 42.125,
      lon: 108.44,
      source: 'track',
      at: after,
      accuracyM: null,
    });
    expect(h.position.formats).toEqual({
      decimal: '42.125000, 108.440000',
      dd: '42.125000° N 108.440000° E',
      dm: '42° 07.5000′ N 108° 26.4000′ E',
      dms: '42° 07′ 30.00″ N 108° 26′ 24.00″ E',
    });
    expect(h.position.ageS).toBeGreaterThanOrEqual(0);
    expect(h.household.name).toBe('其其格');
    const year = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(Date.now()),
    );
    expect(h.household.members).toEqual([
      expect.objectContaining({ name: '其其格', age: year - 1979, medical: null }),
      expect.objectContaining({ name: '巴雅尔', age: year - 1948, medical: '高血压，服硝苯地平' }),
    ]);
    expect(h.nearest.water?.id).toBe('well-bayan-hatai-3');
    expect(h.nearest.road).toMatchObject({ id: 'road-s212' });
    expect(Math.abs(h.nearest.road!.bearingDeg - 180)).toBeLessThanOrEqual(1); // the road runs south of the camp
    const types = h.timeline.map((e) => e.type);
    expect(types[0]).toBe('open');
    expect(types).toContain('dispatched');
    expect(h.timeline.find((e) => e.type === 'dispatched')?.actor?.name).toBe('萨仁');
    expect(h.track.points.map((p) => p.lat)).toEqual([42.118, 42.1201, 42.125]);

    // GPX, parsed as XML by chromium
    const g = await get(saren, `/api/incidents/${incidentId}/handover.gpx`);
    expect(g.status).toBe(200);
    expect(g.headers.get('content-type')).toContain('application/gpx+xml');
    const gpx = await g.text();
    const page = await browser.newPage();
    const parsed = await page.evaluate((text) => {
      const d = new DOMParser().parseFromString(text, 'application/xml');
      const ns = 'http://www.topografix.com/GPX/1/1';
      const root = d.documentElement;
      return {
        error: d.getElementsByTagName('parsererror').length > 0,
        root: root.localName,
        ns: root.namespaceURI,
        version: root.getAttribute('version'),
        wpts: Array.from(d.getElementsByTagNameNS(ns, 'wpt')).map((w) => ({
          type: w.getElementsByTagNameNS(ns, 'type')[0]?.textContent,
          lat: Number(w.getAttribute('lat')),
          lon: Number(w.getAttribute('lon')),
        })),
        trkpts: Array.from(d.getElementsByTagNameNS(ns, 'trkpt')).map((p) => ({
          lat: Number(p.getAttribute('lat')),
          time: p.getElementsByTagNameNS(ns, 'time')[0]?.textContent,
        })),
        children: Array.from(root.children).map((c) => c.localName),
      };
    }, gpx);
    expect(parsed).toMatchObject({
      error: false,
      root: 'gpx',
      ns: 'http://www.topografix.com/GPX/1/1',
      version: '1.1',
    });
    expect(parsed.wpts).toEqual([
      { type: 'sos', lat: 42.125, lon: 108.44 },
      { type: 'home', lat: 42.1213, lon: 108.4382 },
      { type: 'water', lat: 42.13, lon: 108.45 },
      expect.objectContaining({ type: 'road' }),
    ]);
    expect(parsed.trkpts.map((p) => p.lat)).toEqual([42.118, 42.1201, 42.125]);
    expect(parsed.trkpts[2]?.time).toBe(new Date(after).toISOString());
    // schema order: metadata, then the waypoints, then the track
    expect(parsed.children).toEqual(['metadata', 'wpt', 'wpt', 'wpt', 'wpt', 'trk']);

    // the printed page, in each language, as a browser renders it (nothing loaded, nothing run)
    await page.setExtraHTTPHeaders({ authorization: `Bearer ${saren}` });
    const requests: string[] = [];
    page.on('request', (q) => requests.push(q.url()));
    const dm = '42° 07.5000′ N 108° 26.4000′ E';
    const expected = {
      zh: [
        '救援交接单',
        '巴雅尔',
        '高血压，服硝苯地平',
        '直升机',
        '巴音哈太三组水井',
        'S212 省道',
        'HDOP 1.2',
      ],
      mn: ['ᠠᠪᠤᠷᠠᠯ\u202fᠤᠨ ᠬᠦᠯᠢᠶᠡᠯᠭᠡ', 'ᠨᠢᠰᠳᠡᠭ ᠲᠡᠷᠭᠡ', 'ᠪᠠᠶᠠᠨ ᠬᠠᠳᠠᠢ ᠬᠤᠳᠳᠤᠭ', '巴雅尔'],
      en: ['Rescue handover', 'helicopter', 'Bayan Hatai group 3 well', 'Provincial road S212'],
    } as const;
    for (const lang of ['zh', 'mn', 'en'] as const) {
      requests.length = 0;
      const res = await page.goto(`${th.httpUrl}${h.links.html[lang]}`);
      expect(res?.status()).toBe(200);
      const text = (await page.locator('body').textContent()) ?? '';
      expect(text).toContain(dm);
      for (const s of expected[lang]) expect(text).toContain(s);
      const layout = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        writingMode: getComputedStyle(document.body).writingMode,
        scripts: document.scripts.length,
      }));
      expect(layout.lang).toBe({ zh: 'zh-Hans', mn: 'mn-Mong', en: 'en' }[lang]);
      // traditional Mongolian runs top to bottom, columns left to right
      expect(layout.writingMode).toBe(lang === 'mn' ? 'vertical-lr' : 'horizontal-tb');
      expect(layout.scripts).toBe(0);
      expect(requests).toEqual([`${th.httpUrl}${h.links.html[lang]}`]);
    }
    await page.close();

    // the dispatch webhook got the same handover, the GPX and a line to pass on
    const sent = await until(() => received.find((x) => x.body.incidentId === incidentId));
    expect(sent.headers.authorization).toBe('Bearer dispatch-test');
    expect(sent.body).toMatchObject({
      kind: 'dispatch',
      rescue: 'helicopter',
      severity: 'critical',
      drill: false,
      idempotencyKey: expect.stringMatching(new RegExp(`^dispatch:${incidentId}:\\d+$`)),
    });
    const body = sent.body as unknown as { handover: Handover; gpx: string; texts: Record<string, string> };
    expect(body.handover.position.formats.dm).toBe(dm);
    expect(body.handover.household.members[1]).toMatchObject({
      name: '巴雅尔',
      medical: '高血压，服硝苯地平',
    });
    expect(body.gpx).toContain('<gpx version="1.1"');
    expect(body.texts.zh).toContain(`位置 ${formatDegMin(42.125, 'lat')} ${formatDegMin(108.44, 'lon')}`);
    expect(body.texts.zh).toContain('已派直升机');
    expect(body.texts.en).toContain('helicopter dispatched');
    // and the incident's detail shows that delivery, like every page
    const detail = (await (await get(saren, `/api/incidents/${incidentId}`)).json()) as {
      incident: IncidentView;
      deliveries: { channel: string; kind: string; status: string }[];
    };
    // the detail carries the members' year of birth and medical notes too (for the dashboard)
    expect(detail.incident.household?.members[1]).toMatchObject({
      name: '巴雅尔',
      born: 1948,
      medical: '高血压，服硝苯地平',
    });
    expect(detail.deliveries).toContainEqual(
      expect.objectContaining({ channel: 'dispatch', kind: 'dispatch', status: 'delivered' }),
    );
    expect(received.filter((x) => x.body.incidentId === incidentId)).toHaveLength(1);
  });

  it("refuses the handover to an officer outside the incident's units, as the incident itself", async () => {
    expect(incidentId).toBeDefined();
    for (const path of ['', '/handover', '/handover.gpx', '/handover.html?lang=zh']) {
      const r = await get(zhangli, `/api/incidents/${incidentId}${path}`);
      expect(r.status).toBe(404);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    const bad = await get(saren, `/api/incidents/${incidentId}/handover.html?lang=fr`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_query');
    const none = await fetch(`${th.httpUrl}/api/incidents/${incidentId}/handover`);
    expect(none.status).toBe(401);
  });
});

describe('rescue handover: a dispatch whose handover was never sent', () => {
  it('is sent at the next start, once', async () => {
    const received: Record<string, unknown>[] = [];
    const receiver = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push(JSON.parse(data) as Record<string, unknown>);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/dispatch`;
    const hubWith = (dataDir: string | undefined, webhook: boolean) => {
      const modules = createStandardModules({
        incidents: { jobs: false },
        rulesTick: false,
        ...(webhook ? { dispatchWebhook: { url } } : {}),
      });
      return startTestHub({ registry, modules: modules.list, ...(dataDir ? { dataDir } : {}) });
    };
    // dispatched on a hub that had no dispatch webhook (as if it stopped before writing the row)
    let th = await hubWith(undefined, false);
    const dataDir = th.dataDir;
    try {
      const box = await connectBox(th.mqttUrl, BOX);
      await box.sos({ category: 'injury', pos: { lat: 42.1213, lon: 108.4382, acc: 8 } });
      const saren = await apiToken(th.httpUrl, 'saren');
      const get = (path: string) =>
        fetch(`${th.httpUrl}${path}`, { headers: { authorization: `Bearer ${saren}` } });
      const inc = await until(async () => {
        const b = (await (await get('/api/incidents?state=open')).json()) as { items: IncidentView[] };
        return b.items.find((i) => i.deviceId === BOX);
      });
      const r = await fetch(`${th.httpUrl}/api/incidents/${inc.id}/dispatch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${saren}`, 'content-type': 'application/json' },
        body: JSON.stringify({ rescue: 'ambulance' }),
      });
      expect(r.status).toBe(200);
      await box.close();
      await th.close({ keepData: true });
      expect(received).toEqual([]);

      th = await hubWith(dataDir, true);
      const sent = await until(() => received.find((b) => b.incidentId === inc.id));
      expect(sent).toMatchObject({ kind: 'dispatch', rescue: 'ambulance' });
      expect((sent.texts as { zh: string }).zh).toContain('已派救护车');
      await th.close({ keepData: true });

      // started again: that dispatch is sent, nothing goes twice
      th = await hubWith(dataDir, true);
      const token = await apiToken(th.httpUrl, 'saren');
      const detail = (await (
        await fetch(`${th.httpUrl}/api/incidents/${inc.id}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { deliveries: { channel: string; status: string }[] };
      expect(detail.deliveries.filter((d) => d.channel === 'dispatch')).toEqual([
        expect.objectContaining({ status: 'delivered' }),
      ]);
      expect(received.filter((b) => b.incidentId === inc.id)).toHaveLength(1);
    } finally {
      await th.close();
      await new Promise((r) => receiver.close(r));
    }
  });
});
