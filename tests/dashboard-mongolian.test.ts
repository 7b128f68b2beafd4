/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  newContext,
  PHONE,
  screenshot,
  signIn,
  startDashboardHub,
  watchErrors,
} from './support/browser.ts';
import { type Box, connectBox, connectPhone, type Phone } from './support/devices.ts';
import { type TestHub, until } from './support/hub.ts';
import { mongolianLayout } from './support/mongolian-layout.ts';

/**
 * Issue 23 defect 5: traditional Mongolian as its readers write it — top to bottom, columns left to
 * right (`writing-mode: vertical-lr`) for running text too, not only headings: board rows, the
 * detail's facts and timeline, buttons, forms, tables and the whole worker view. Nothing clipped,
 * nothing hidden under the detail panel. Each view in Mongolian is photographed (test-artifacts/).
 */
const BOX = 'stb-150824-104-0007';

describe('dashboard: traditional Mongolian laid out vertically', () => {
  let t: TestHub;
  let browser: Browser;
  let wall: Page;
  let phone: Page;
  let box: Box;
  let bater: Phone;
  let incidentId = '';
  const errors: string[] = [];

  const check = async (page: Page, view: string) => {
    const layout = await mongolianLayout(page);
    await screenshot(page, `mn-${view}`);
    expect(layout.checked, view).toBeGreaterThan(3);
    expect({ view, sideways: layout.sideways, clipped: layout.clipped, covered: layout.covered }).toEqual({
      view,
      sideways: [],
      clipped: [],
      covered: [],
    });
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
    await box.sos({
      category: 'medical',
      note: 'ᠡᠪᠡᠭᠡᠨ ᠦ ᠴᠡᠭᠡᠵᠢ ᠥᠪᠳᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ',
      power: { source: 'battery', battery: 40 },
    });
    incidentId = (await until(() => bater.alerts[0])).incidentId;
    await signIn(wall, t.httpUrl, 'saren');
    await wall.locator('.lang-switch button[data-lang=mn]').click();
    await wall.locator('html[lang=mn-Mong]').waitFor();
    await signIn(phone, t.httpUrl, 'bater'); // his profile is Mongolian
    await phone.locator('html[lang=mn-Mong]').waitFor();
  });
  afterAll(async () => {
    await bater?.client.endAsync();
    await box?.close();
    await browser?.close();
    await t?.close();
  });

  it('the board and the open detail', async () => {
    await wall.goto(`${t.httpUrl}/#/board/${incidentId}`);
    await wall.locator('[data-testid=incident-detail] .timeline li').first().waitFor();
    await wall.locator('[data-testid=incident-facts]').waitFor();
    await check(wall, 'board-detail');
  });

  it('the board alone', async () => {
    await wall.goto(`${t.httpUrl}/#/board`);
    await wall.locator('tr[data-incident]').first().waitFor();
    await check(wall, 'board');
  });

  it('devices and statistics', async () => {
    await wall.goto(`${t.httpUrl}/#/devices`);
    await wall.locator('table tbody tr').first().waitFor();
    await check(wall, 'devices');
    await wall.goto(`${t.httpUrl}/#/stats`);
    await wall.locator('table tbody tr').first().waitFor();
    await check(wall, 'stats');
  });

  it('the broadcast composer', async () => {
    await wall.goto(`${t.httpUrl}/#/broadcast`);
    await wall.locator('form.composer').waitFor();
    await check(wall, 'broadcast');
  });

  it("the worker's phone", async () => {
    await phone.locator(`article.w-alert[data-incident="${incidentId}"]`).waitFor();
    await phone.locator('.w-households li').first().waitFor();
    await check(phone, 'worker');
  });

  it('ran without script errors', () => {
    expect(errors.filter((e) => !/status of 40[14]/.test(e))).toEqual([]);
  });
});
