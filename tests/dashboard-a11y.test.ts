/// <reference lib="dom" />
import { encodeOrThrow, upTopic } from '@steppelink/protocols';
import type { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './support/a11y.ts';
import { PHONE } from './support/browser.ts';
import { dashboard } from './support/dashboard.ts';
import { type Box, connectBox, connectPhone, type Phone } from './support/devices.ts';
import { connect, deviceLogin, until } from './support/hub.ts';

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
  let box: Box;
  let bater: Phone;
  let tracker: MqttClient;
  let incidentId = '';
  const d = dashboard({
    people: {
      guest: { user: '', signedOut: true }, // the sign-in page
      wall: { user: 'liming' }, // league duty officer: both banners
      phone: { user: 'bater', viewport: PHONE },
    },
    before: async (hub) => {
      box = await connectBox(hub.mqttUrl, BOX);
      bater = await connectPhone(hub.mqttUrl, 'p-bater', 'bater');
      await box.sos({ category: 'medical', note: '老人胸口疼', power: { source: 'battery', battery: 40 } });
      incidentId = (await until(() => bater.alerts[0])).incidentId;
      tracker = await connect(hub.mqttUrl, deviceLogin(TRACKER));
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
    },
    after: async () => {
      await bater?.client.endAsync();
      await tracker?.endAsync();
      await box?.close();
    },
  });
  let wall: Page;
  let phone: Page;

  /** Opens a view and waits until it has drawn what it loads. */
  const VIEWS: Record<string, { hash: string; ready: string }> = {
    board: { hash: '#/board', ready: 'tr[data-incident]' },
    detail: { hash: '', ready: '[data-testid=incident-detail] .timeline li' },
    map: { hash: '#/map', ready: '[data-testid=map][data-loaded=yes]' },
    devices: { hash: '#/devices', ready: 'table tbody tr' },
    stats: { hash: '#/stats', ready: 'table tbody tr' },
    broadcast: { hash: '#/broadcast', ready: 'form.composer' },
    policies: { hash: '#/policies', ready: '[data-testid=effective-policies] tr[data-severity]' },
    drills: { hash: '#/drills', ready: 'form.drill-start' },
  };
  const open = async (page: Page, view: string) => {
    const v = VIEWS[view]!;
    await page.goto(d.url(view === 'detail' ? `#/board/${incidentId}` : v.hash));
    await page.locator(v.ready).first().waitFor();
  };

  beforeAll(() => {
    wall = d.page('wall');
    phone = d.page('phone');
  });

  it('the sign-in page has no critical or serious violations', async () => {
    const guest = d.page('guest');
    await guest.goto(d.url());
    await guest.locator('form.login').waitFor();
    expect(await axeViolations(guest)).toEqual([]);
  });

  it.each(LANGS)('every officer view has no critical or serious violations (%s)', async (lang) => {
    await d.setLang('wall', lang);
    const found: Record<string, unknown[]> = {};
    for (const view of Object.keys(VIEWS)) {
      await open(wall, view);
      const v = await axeViolations(wall);
      if (v.length > 0) found[view] = v;
    }
    expect(found).toEqual({});
  });

  it.each(LANGS)("the worker's phone view has no critical or serious violations (%s)", async (lang) => {
    await phone.locator('article.w-alert').first().waitFor();
    await d.setLang('phone', lang);
    expect(await axeViolations(phone)).toEqual([]);
  });

  it('each view has one h1, the banner, navigation and main landmarks', async () => {
    await d.setLang('wall', 'zh');
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

  // In a combined run the worker's phone once failed color-contrast and passed alone: run later,
  // its card's countdown had dropped under a minute ('soon'), drawn in the wall screen's amber
  // (1.9:1 on the phone's white card). Here the phone's clock is moved to each state the card can
  // show, instead of waiting for the hub's ack window to run down.
  it("the worker's card stays readable as its countdown runs short, overdue, and once acknowledged", async () => {
    await phone.goto(d.url('#/worker'));
    await d.setLang('phone', 'zh');
    const card = phone.locator(`article.w-alert[data-incident="${incidentId}"]`);
    const left = Number(await card.locator('[data-countdown]').getAttribute('data-countdown'));
    const now = await phone.evaluate(() => Date.now());
    const found: Record<string, unknown[]> = {};
    for (const [state, at] of [
      ['soon', now + left - 30_000], // half a minute before the hub escalates
      ['overdue', now + left + 30_000],
    ] as const) {
      await phone.clock.setSystemTime(at);
      await card.locator(`.countdown.${state}`).waitFor();
      const v = await axeViolations(phone);
      if (v.length > 0) found[state] = v;
    }
    await card.locator('button[data-action=ack]').click();
    await phone.locator(`article.w-alert[data-incident="${incidentId}"] .state-acknowledged`).waitFor();
    const v = await axeViolations(phone);
    if (v.length > 0) found.acknowledged = v;
    expect(found).toEqual({});
  });

  it('ran without script errors', () => {
    expect(d.errors()).toEqual([]);
  });
});
