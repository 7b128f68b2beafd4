/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, screenshot } from './support/browser.ts';
import { dashboard, type Lang } from './support/dashboard.ts';
import { type Box, connectBox, connectPhone, type Phone } from './support/devices.ts';
import { until } from './support/hub.ts';
import { textLayout } from './support/mongolian-layout.ts';

/**
 * Issue 23, "each view in each language": every officer view on the wall screen and the worker's
 * view on the phone, in Chinese, traditional Mongolian and English, photographed
 * (test-artifacts/view-<lang>-<view>.png) and checked as a reader would see it: no text clipped
 * by its box or covered by another element, nothing wider than the screen, and in Mongolian every
 * line top to bottom.
 */
const LANGS: Lang[] = ['zh', 'mn', 'en'];
const BOX = 'stb-150824-104-0007';

describe('dashboard: each view in each language', () => {
  const d = dashboard({
    people: {
      wall: { user: 'saren' },
      phone: { user: 'bater', viewport: PHONE },
      officerPhone: { user: 'saren', viewport: PHONE }, // a duty officer away from the wall screen
    },
  });
  let box: Box;
  let bater: Phone;
  let incidentId = '';
  beforeAll(async () => {
    box = await connectBox(d.hub().mqttUrl, BOX);
    bater = await connectPhone(d.hub().mqttUrl, 'p-bater', 'bater');
    await box.sos({ category: 'medical', note: '老人胸口疼', power: { source: 'battery', battery: 40 } });
    incidentId = (await until(() => bater.alerts[0])).incidentId;
  });
  afterAll(async () => {
    await bater?.client.endAsync();
    await box?.close();
  });

  const VIEWS: Record<string, { hash: () => string; ready: string }> = {
    board: { hash: () => '#/board', ready: 'tr[data-incident]' },
    detail: { hash: () => `#/board/${incidentId}`, ready: '[data-testid=incident-facts]' },
    map: { hash: () => '#/map', ready: '[data-testid=map][data-loaded=yes]' },
    devices: { hash: () => '#/devices', ready: 'table tbody tr' },
    stats: { hash: () => '#/stats', ready: 'table tbody tr' },
    broadcast: { hash: () => '#/broadcast', ready: 'form.composer' },
    policies: { hash: () => '#/policies', ready: '[data-testid=effective-policies] tr[data-severity]' },
    drills: { hash: () => '#/drills', ready: 'form.drill-start' },
  };

  const check = async (page: Page, lang: Lang, view: string) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const layout = await textLayout(page, { script: lang === 'mn' ? 'mongolian' : 'any' });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await screenshot(page, `view-${lang}-${view}`);
    expect(layout.checked, `${lang} ${view}`).toBeGreaterThan(3);
    expect({ view: `${lang} ${view}`, ...layout, checked: undefined, wider: wide > 1 }).toEqual({
      view: `${lang} ${view}`,
      sideways: [],
      clipped: [],
      covered: [],
      checked: undefined,
      wider: false,
    });
  };

  it.each(LANGS)('the officer’s views in %s', async (lang) => {
    const wall = d.page('wall');
    await wall.goto(d.url('#/board'));
    await d.setLang('wall', lang);
    for (const [view, v] of Object.entries(VIEWS)) {
      await wall.goto(d.url(v.hash()));
      await wall.locator(v.ready).first().waitFor();
      await check(wall, lang, view);
    }
  });

  it.each(LANGS)('the worker’s phone in %s', async (lang) => {
    const phone = d.page('phone');
    await phone.goto(d.url('#/worker'));
    await d.setLang('phone', lang);
    await phone.locator(`article.w-alert[data-incident="${incidentId}"]`).waitFor();
    await phone.locator('.w-households li').first().waitFor();
    await check(phone, lang, 'worker');
  });

  it.each(LANGS)(
    'the officer’s board and detail on a phone in %s (nothing wider than the screen)',
    async (lang) => {
      const page = d.page('officerPhone');
      await page.goto(d.url('#/board'));
      await d.setLang('officerPhone', lang);
      await page.locator('tr[data-incident], [data-incident]').first().waitFor();
      await check(page, lang, 'board-phone');
      await page.goto(d.url(`#/board/${incidentId}`));
      await page.locator('[data-testid=incident-facts]').waitFor();
      await check(page, lang, 'detail-phone');
    },
  );

  it('ran without script errors', () => {
    expect(d.errors()).toEqual([]);
  });
});
