/// <reference lib="dom" />
import { encodeOrThrow, upTopic } from '@steppelink/protocols';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './support/a11y.ts';
import {
  launchBrowser,
  newContext,
  PHONE,
  signIn,
  startDashboardHub,
  watchErrors,
} from './support/browser.ts';
import { type Box, connectBox, connectPhone, type Phone } from './support/devices.ts';
import { connect, deviceLogin, type TestHub, until } from './support/hub.ts';

/**
 * Issue 23 defect 6, accessibility as axe-core (WCAG 2.x A/AA and best practice) judges it: no
 * critical or serious violation on any view, in every language, on the wall screen and on the
 * worker's phone; the unit filters and the map's replay slider are labelled, map markers are
 * named, each page has one h1 and landmarks, a skip link leads to the content, and Escape closes
 * the incident detail.
 */
const BOX = 'stb-150824-104-0007';
const TRACKER = 'trk-patrol-150825-03'; // a patrol's tracker: the map then offers its replay slider
const LANGS = ['zh', 'mn', 'en'] as const;

describe('dashboard: accessibility (axe-core)', () => {
  let t: TestHub;
  let browser: Browser;
  let wall: Page;
  let phone: Page;
  let box: Box;
  let bater: Phone;
  let tracker: MqttClient;
  const errors: string[] = [];
  let incidentId = '';

  const setLang = async (page: Page, lang: (typeof LANGS)[number]) => {
    await page.locator(`.lang-switch button[data-lang=${lang}]`).click();
    await page.locator(`html[lang^=${lang}]`).waitFor();
  };
  /** Opens a view and waits until it has drawn what it loads. */
  const VIEWS: Record<string, { hash: string; ready: string }> = {
    board: { hash: '#/board', ready: 'tr[data-incident]' },
    detail: { hash: '', ready: '[data-testid=incident-detail] .timeline li' },
    map: { hash: '#/map', ready: '[data-testid=map][data-loaded=yes]' },
    devices: { hash: '#/devices', ready: 'table tbody tr' },
    stats: { hash: '#/stats', ready: 'table tbody tr' },
    broadcast: { hash: '#/broadcast', ready: 'form.composer' },
  };
  const open = async (page: Page, view: string) => {
    const v = VIEWS[view]!;
    const hash = view === 'detail' ? `#/board/${incidentId}` : v.hash;
    await page.goto(`${t.httpUrl}/${hash}`);
    await page.locator(v.ready).first().waitFor();
  };

  beforeAll(async () => {
    t = await startDashboardHub();
    browser = await launchBrowser();
    wall = await (await newContext(browser)).newPage();
    phone = await (await newContext(browser, { viewport: PHONE })).newPage();
    watchErrors(wall, errors);
    watchErrors(phone, errors);
    box = await connectBox(t.mqttUrl, BOX);
    bater = await connectPhone(t.mqttUrl, 'p-bater', 'bater');
    await box.sos({ category: 'medical', note: '老人胸口疼', power: { source: 'battery', battery: 40 } });
    incidentId = (await until(() => bater.alerts[0])).incidentId;
    tracker = await connect(t.mqttUrl, deviceLogin(TRACKER));
    const now = Date.now();
    await tracker.publishAsync(
      upTopic(TRACKER, 'pos'),
      encodeOrThrow('pos', {
        v: 1,
        id: `${TRACKER}:pos:1`,
        ts: now,
        t0: now - 30 * 60_000,
        src: 'gpsd',
        fixes: [0, 1, 2, 3].map((i) => [
          i * 5 * 60_000,
          41.86 + i * 0.01,
          106.93 + i * 0.01,
          1300,
          1.1,
          1.2,
          90,
        ]),
      }),
      { qos: 1 },
    );
  });
  afterAll(async () => {
    await bater?.client.endAsync();
    await tracker?.endAsync();
    await box?.close();
    await browser?.close();
    await t?.close();
  });

  it('the sign-in page has no critical or serious violations', async () => {
    await wall.goto(`${t.httpUrl}/`);
    await wall.locator('form.login').waitFor();
    expect(await axeViolations(wall)).toEqual([]);
  });

  it.each(LANGS)('every officer view has no critical or serious violations (%s)', async (lang) => {
    if (lang === 'zh') await signIn(wall, t.httpUrl, 'liming'); // league duty officer: both banners
    await setLang(wall, lang);
    const found: Record<string, unknown[]> = {};
    for (const view of Object.keys(VIEWS)) {
      await open(wall, view);
      const v = await axeViolations(wall);
      if (v.length > 0) found[view] = v;
    }
    expect(found).toEqual({});
  });

  it.each(LANGS)("the worker's phone view has no critical or serious violations (%s)", async (lang) => {
    if (lang === 'zh') {
      await signIn(phone, t.httpUrl, 'bater');
      await phone.locator('article.w-alert').first().waitFor();
    }
    await setLang(phone, lang);
    expect(await axeViolations(phone)).toEqual([]);
  });

  it('each view has one h1, the banner, navigation and main landmarks', async () => {
    await setLang(wall, 'zh');
    for (const view of Object.keys(VIEWS)) {
      await open(wall, view);
      expect(await wall.locator('h1').count(), view).toBe(1);
      expect(await wall.getByRole('main').count(), view).toBe(1);
      expect(await wall.getByRole('banner').count(), view).toBe(1);
      expect(await wall.getByRole('navigation').count(), view).toBeGreaterThanOrEqual(1);
    }
    await phone.reload();
    await phone.locator('article.w-alert').first().waitFor();
    expect(await phone.locator('h1').count()).toBe(1);
  });

  it('a skip link is the first stop and leads to the page content', async () => {
    await open(wall, 'board');
    await wall.reload(); // a fresh page: focus starts at the top
    await wall.locator('tr[data-incident]').first().waitFor();
    await wall.keyboard.press('Tab');
    const first = await wall.evaluate(() => document.activeElement?.className ?? '');
    expect(first).toContain('skip-link');
    expect(await wall.locator('.skip-link').textContent()).toBe('跳到正文');
    await wall.keyboard.press('Enter');
    expect(await wall.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(await wall.evaluate(() => location.hash)).toBe('#/board'); // not taken for a route
  });

  it('Escape closes the incident detail and returns to its row', async () => {
    await open(wall, 'board');
    const row = wall.locator(`tr[data-incident="${incidentId}"]`);
    await row.focus();
    await wall.keyboard.press('Enter');
    await wall.locator('[data-testid=incident-detail]').waitFor();
    await wall.keyboard.press('Escape');
    await wall.locator('[data-testid=incident-detail]').waitFor({ state: 'detached' });
    expect(await wall.evaluate(() => location.hash)).toBe('#/board');
    await until(() =>
      wall.evaluate(
        (id) => document.activeElement?.getAttribute('data-incident') === id || undefined,
        incidentId,
      ),
    );
  });

  it('unit filters, the replay slider and map markers have names', async () => {
    await open(wall, 'devices');
    expect(await wall.getByRole('combobox', { name: '单位' }).count()).toBe(1);
    await open(wall, 'stats');
    expect(await wall.getByRole('combobox', { name: '单位' }).count()).toBe(1);
    await open(wall, 'map');
    await wall.locator('[data-testid=map][data-tracks="1"]').waitFor();
    expect(await wall.getByRole('slider', { name: '轨迹' }).count()).toBe(1);
    const markers = wall.locator(
      '.leaflet-marker-pane .leaflet-interactive, .leaflet-overlay-pane svg path.leaflet-interactive',
    );
    const names = await markers.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(names.length).toBeGreaterThan(3);
    expect(names.filter((n) => !n)).toEqual([]);
  });

  it('ran without script errors', () => {
    expect(errors.filter((e) => !/status of 40[14]/.test(e))).toEqual([]);
  });
});
