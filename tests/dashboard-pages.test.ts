/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { demoZones } from '@steppelink/hub';
import { encodeOrThrow, upTopic } from '@steppelink/protocols';
import type { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubModules, screenshot } from './support/browser.ts';
import { dashboard } from './support/dashboard.ts';
import { type Box, connectBox } from './support/devices.ts';
import { connect, deviceLogin, until } from './support/hub.ts';

/**
 * Issue 7, the officer's other pages in a real browser against a real hub: the map (devices by
 * kind and presence, a patrol track with replay, border coverage by time since patrol), the device
 * health table with its unit filter, the response-time league table exported as CSV, and the
 * broadcast composer with delivery progress — hidden on a hub without the notice API.
 */
const TRACKER = 'trk-patrol-150825-03'; // border patrol team of Chaogewenduer Town (Urad Rear)
const BOX = 'stb-150824-104-0008'; // 额尔德尼, Bayan Hatai group 3 (Urad Middle)
const BOX_UNITS = ['150824-104-007-03', '150824-104-007', '150824-104', '150824', '150800'];
// the demo zones open with the Urad border line
const border = demoZones().features[0] as { geometry: { coordinates: [number, number][] } };

describe('dashboard: map, devices, statistics, broadcast', () => {
  let tracker: MqttClient;
  let box: Box;
  let fixCount = 0;
  const d = dashboard({
    people: { officer: { user: 'liming' } }, // league duty officer: sees both banners
    before: (hub) => seed(hub.mqttUrl),
    after: async () => {
      await box?.close();
      await tracker?.endAsync();
    },
  });
  let page: Page;
  beforeAll(() => {
    page = d.page('officer');
  });

  async function seed(mqttUrl: string): Promise<void> {
    // a patrol walked the first kilometres of the border over the last hour, and reports its health
    tracker = await connect(mqttUrl, deviceLogin(TRACKER));
    const now = Date.now();
    const walk = border.geometry.coordinates.slice(0, 24);
    fixCount = walk.length;
    const t0 = now - 60 * 60_000;
    const step = Math.floor((55 * 60_000) / walk.length);
    await tracker.publishAsync(
      upTopic(TRACKER, 'pos'),
      encodeOrThrow('pos', {
        v: 1,
        id: `${TRACKER}:pos:1`,
        ts: now,
        t0,
        src: 'gpsd',
        fixes: walk.map(([lon, lat], i) => [i * step, lat, lon, 1300, 1.1, 1.2, 90]),
      }),
      { qos: 1 },
    );
    await tracker.publishAsync(
      upTopic(TRACKER, 'hb'),
      encodeOrThrow('hb', {
        v: 1,
        id: `${TRACKER}:hb:1`,
        ts: now,
        agent: 'steppelink-edge/0.1.0',
        uptimeS: 7200,
        power: 'battery',
        battery: 64,
        rssi: -85,
        outbox: 3,
      }),
      { qos: 1 },
    );
    box = await connectBox(mqttUrl, BOX);
    await box.client.subscribeAsync(
      BOX_UNITS.map((u) => `sl/v1/unit/${u}/notice`),
      { qos: 1 },
    );
  }

  it('maps devices by kind and presence, the patrol track with replay, and border coverage', async () => {
    await page.goto(d.url('#/map'));
    const map = page.locator('[data-testid=map][data-loaded=yes]');
    await map.waitFor();
    expect(Number(await map.getAttribute('data-devices'))).toBeGreaterThanOrEqual(7); // boxes at their homes + tracker
    // the stretch the patrol walked is "patrolled < 24 h"; the rest of the 369 km is not
    expect(Number(await map.getAttribute('data-cov-fresh'))).toBeGreaterThan(0);
    expect(Number(await map.getAttribute('data-cov-never'))).toBeGreaterThan(300);
    await page.locator('[data-testid=map][data-tracks="1"]').waitFor();
    // replay: at the start of the window no fix is drawn yet, at the end all of them
    const slider = page.locator('input[name=replay]');
    const min = await slider.getAttribute('min');
    await slider.evaluate((el, v) => {
      const input = el as HTMLInputElement;
      input.value = v!;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, min);
    await page.locator('[data-testid=map][data-track-points="0"]').waitFor();
    const max = await slider.getAttribute('max');
    await slider.evaluate((el, v) => {
      const input = el as HTMLInputElement;
      input.value = v!;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, max);
    await page.locator(`[data-testid=map][data-track-points="${fixCount}"]`).waitFor();
    await screenshot(page, 'map');
    // An officer zooms and leaves the page mid-animation: Leaflet ends a zoom animation from a
    // 250 ms timer, which must not throw on a map already taken down (caught by the last test).
    await page.evaluate(async () => {
      document.querySelector<HTMLElement>('.leaflet-control-zoom-in')!.click();
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))); // the animation has started
      location.hash = '#/devices';
    });
    await page.locator('[data-testid=map]').waitFor({ state: 'detached' });
    await new Promise((r) => setTimeout(r, 500)); // past Leaflet's 250 ms timer
  });

  it('shows device health and filters by unit', async () => {
    await page.goto(d.url('#/devices'));
    const trackerRow = page.locator(`tr[data-device="${TRACKER}"]`);
    await trackerRow.waitFor();
    const text = await trackerRow.textContent();
    for (const s of ['64%', '电池', '-85 dBm', '3', '在线']) expect(text).toContain(s);
    expect(await page.locator(`tr[data-device="${BOX}"]`).getAttribute('class')).toContain('online');
    await page.locator('.devices select[name=unit]').selectOption('150824');
    await trackerRow.waitFor({ state: 'detached' });
    await page.locator(`tr[data-device="${BOX}"]`).waitFor();
    await screenshot(page, 'devices');
  });

  it('ranks units by response time and exports the table as CSV', async () => {
    await box.sos({ category: 'livestock' });
    const api = async (path: string, body?: unknown) =>
      page.evaluate(
        async ([p, b]) => {
          const r = await fetch(p as string, {
            method: b === undefined ? 'GET' : 'POST',
            headers: { 'content-type': 'application/json' },
            ...(b === undefined ? {} : { body: JSON.stringify(b) }),
          });
          return (await r.json()) as { items: { id: string; category: string }[] };
        },
        [path, body],
      );
    const inc = await until(async () =>
      (await api('/api/incidents?state=active')).items.find((i) => i.category === 'livestock'),
    );
    await api(`/api/incidents/${inc.id}/ack`, { note: '已电话联系' });
    await page.goto(d.url('#/stats'));
    const middle = page.locator('tr[data-unit="150824"]');
    await middle.waitFor();
    expect(await middle.locator('td').nth(2).textContent()).toBe('1'); // one incident in Urad Middle
    await page.locator('tr[data-unit="150825"]').waitFor(); // every banner is listed, even without incidents
    const download = page.waitForEvent('download');
    await page.locator('button[data-action=export-csv]').click();
    const csv = readFileSync((await (await download).path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).trim().split('\r\n');
    expect(lines[0]).toContain('警情数');
    const row = lines.find((l) => l.includes(',150824,'))!;
    expect(row).toContain('乌拉特中旗,1,');
    await screenshot(page, 'stats');
  });

  it('composes a trilingual notice and follows its delivery per unit', async () => {
    await page.goto(d.url('#/broadcast'));
    const form = page.locator('form.composer');
    await form.waitFor();
    await form.locator('select[name=targets]').selectOption(['150824-104-007-03']);
    await form.locator('select[name=priority]').selectOption('emergency');
    await form.locator('textarea[name=text-zh]').fill('暴雪预警：今夜至明日有暴雪，请将牲畜赶回棚圈。');
    await form.locator('textarea[name=text-mn]').fill('ᠴᠠᠰᠤᠨ ᠵᠤᠳ ᠤᠨ ᠰᠡᠷᠡᠮᠵᠢᠯᠡᠬᠦᠯᠦᠯ');
    await form
      .locator('textarea[name=text-en]')
      .fill('Blizzard warning tonight: bring the herds into the pens.');
    await form.locator('button[type=submit]').click();
    await form.locator('button[data-action=confirm-send]').click(); // the count and preview, then send
    const progress = page.locator('section.progress');
    await progress.waitFor();
    const noticeId = (await progress.getAttribute('data-notice'))!;
    const notice = await until(() => box.notices.find((n) => n.noticeId === noticeId));
    expect(notice.texts.mn).toBe('ᠴᠠᠰᠤᠨ ᠵᠤᠳ ᠤᠨ ᠰᠡᠷᠡᠮᠵᠢᠯᠡᠬᠦᠯᠦᠯ');
    await box.client.publishAsync(
      upTopic(BOX, 'receipt'),
      encodeOrThrow('receipt', { v: 1, id: `${BOX}:rcp:1`, ts: Date.now(), noticeId, state: 'delivered' }),
      { qos: 1 },
    );
    // the progress view polls: the grid's delivered count reaches 1 of its targeted boxes
    const gridRow = progress.locator('tr[data-unit="150824-104-007-03"]');
    await gridRow.locator('td:nth-child(3) em', { hasText: /^1$/ }).waitFor();
    expect(Number(await gridRow.locator('td').nth(1).textContent())).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'broadcast');
  });

  it('ran without script errors', () => {
    expect(d.errors()).toEqual([]); // (the signed-out session probe's 401 is left out)
  });
});

describe('dashboard: a hub without the notice API', () => {
  const d = dashboard({
    hub: { modules: hubModules({ broadcast: false }).list },
    people: { officer: { user: 'liming' } },
  });

  it('hides the composer', async () => {
    const other = d.page('officer');
    await other.locator('nav.side a[data-page=stats]').waitFor();
    expect(await other.locator('nav.side a[data-page=broadcast]').count()).toBe(0);
    await other.goto(d.url('#/broadcast'));
    await other.locator('main').waitFor();
    expect(await other.locator('form.composer').count()).toBe(0);
  });
});
