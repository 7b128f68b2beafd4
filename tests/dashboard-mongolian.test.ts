/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, screenshot } from './support/browser.ts';
import { dashboard } from './support/dashboard.ts';
import { type Box, connectBox, connectPhone, type Phone } from './support/devices.ts';
import { until } from './support/hub.ts';
import { mongolianLayout } from './support/mongolian-layout.ts';

/**
 * Issue 23 defect 5: traditional Mongolian as its readers write it — top to bottom, columns left to
 * right (`writing-mode: vertical-lr`) for running text too, not only headings: board rows, the
 * detail's facts and timeline, buttons, forms, tables and the whole worker view. Nothing clipped,
 * nothing hidden under the detail panel. Each view in Mongolian is photographed (test-artifacts/).
 */
const BOX = 'stb-150824-104-0007';

describe('dashboard: traditional Mongolian laid out vertically', () => {
  // bater's profile is Mongolian; the officer switches to it
  const d = dashboard({
    people: { wall: { user: 'saren', lang: 'mn' }, phone: { user: 'bater', viewport: PHONE } },
  });
  let wall: Page;
  let phone: Page;
  let box: Box;
  let bater: Phone;
  let incidentId = '';

  const check = async (page: Page, view: string) => {
    await page.evaluate(() => window.scrollTo(0, 0));
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
    wall = d.page('wall');
    phone = d.page('phone');
    box = await connectBox(d.hub().mqttUrl, BOX);
    bater = await connectPhone(d.hub().mqttUrl, 'p-bater', 'bater');
    await box.sos({
      category: 'medical',
      note: 'ᠡᠪᠡᠭᠡᠨ ᠦ ᠴᠡᠭᠡᠵᠢ ᠥᠪᠳᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ',
      power: { source: 'battery', battery: 40 },
    });
    incidentId = (await until(() => bater.alerts[0])).incidentId;
    await wall.locator('html[lang=mn-Mong]').waitFor();
    await phone.locator('html[lang=mn-Mong]').waitFor();
  });
  afterAll(async () => {
    await bater?.client.endAsync();
    await box?.close();
  });

  it('the board and the open detail', async () => {
    await wall.goto(`${d.url()}#/board/${incidentId}`);
    await wall.locator('[data-testid=incident-detail] .timeline li').first().waitFor();
    await wall.locator('[data-testid=incident-facts]').waitFor();
    await check(wall, 'board-detail');
  });

  it('the board alone', async () => {
    await wall.goto(`${d.url()}#/board`);
    await wall.locator('tr[data-incident]').first().waitFor();
    await check(wall, 'board');
  });

  it('devices and statistics', async () => {
    await wall.goto(`${d.url()}#/devices`);
    await wall.locator('table tbody tr').first().waitFor();
    await check(wall, 'devices');
    await wall.goto(`${d.url()}#/stats`);
    await wall.locator('table tbody tr').first().waitFor();
    await check(wall, 'stats');
  });

  it("the broadcast composer and a notice's progress (counts whole, not cut in half)", async () => {
    await wall.goto(`${d.url()}#/broadcast`);
    const form = wall.locator('form.composer');
    await form.waitFor();
    await check(wall, 'broadcast');
    await form.locator('select[name=targets]').selectOption(['150824-104-007-01', '150824-104-007-03']);
    await form.locator('textarea[name=text-zh]').fill('暴雪预警：请将牲畜赶回棚圈。');
    await form.locator('textarea[name=text-mn]').fill('ᠴᠠᠰᠤᠨ ᠵᠤᠳ ᠤᠨ ᠰᠡᠷᠡᠮᠵᠢᠯᠡᠬᠦᠯᠦᠯ');
    await form.locator('textarea[name=text-en]').fill('Blizzard warning: bring the herds in.');
    await form.locator('button[type=submit]').click();
    await form.locator('button[data-action=confirm-send]').click(); // the count and preview, then send
    await wall.locator('section.progress tr[data-unit="150824-104-007-03"]').waitFor();
    await check(wall, 'broadcast-progress');
    // every count is drawn whole inside its cell
    const cut = await wall.locator('section.progress td').evaluateAll((tds) =>
      tds.flatMap((td) => {
        const b = td.getBoundingClientRect();
        return Array.from(td.querySelectorAll('em, .bar'))
          .filter((e) => {
            const r = e.getBoundingClientRect();
            return (
              r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1
            );
          })
          .map((e) => e.outerHTML.slice(0, 60));
      }),
    );
    expect(cut).toEqual([]);
  });

  it("the worker's phone", async () => {
    await phone.locator(`article.w-alert[data-incident="${incidentId}"]`).waitFor();
    await phone.locator('.w-households li').first().waitFor();
    await check(phone, 'worker');
  });

  it('ran without script errors', () => {
    expect(d.errors()).toEqual([]);
  });
});
