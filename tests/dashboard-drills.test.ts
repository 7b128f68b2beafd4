/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './support/a11y.ts';
import { PHONE, screenshot } from './support/browser.ts';
import { dashboard } from './support/dashboard.ts';
import { type Box, connectBox, connectPhone, type Phone } from './support/devices.ts';
import { apiToken, until } from './support/hub.ts';
import { mongolianLayout } from './support/mongolian-layout.ts';

/**
 * Issue #24, drills in the dashboard (#/drills) against a real hub in chromium, with the
 * household's set-top box and the grid worker's phone as real MQTT clients: a banner duty officer
 * finds the household, is told the drill pages real people, starts it; the drill is on the board
 * marked as one (row, detail, the phone's card and the worker's own view); the worker's phone
 * takes the page and he acknowledges over the API; the report names him, his delivered page and
 * how long he took, and prints without the app's frame. A village secretary (no drill role) sees
 * the drills but cannot start one.
 */
const BOX = 'stb-150824-104-0007'; // 其其格's household; 巴特尔 (p-bater) is its grid worker
const HOUSEHOLD = 'hh-150824-104-0007';

describe('dashboard: drills', () => {
  let box: Box;
  let phone: Phone;
  const d = dashboard({
    people: {
      officer: { user: 'saren' }, // banner duty officer of Urad Middle
      secretary: { user: 'erdun' }, // village secretary: no drill role
      officerPhone: { user: 'saren', viewport: PHONE }, // the board as cards
      workerPhone: { user: 'bater', viewport: PHONE }, // the grid worker's own view
    },
    before: async (hub) => {
      box = await connectBox(hub.mqttUrl, BOX);
      phone = await connectPhone(hub.mqttUrl, 'p-bater', 'bater'); // PUBACKs his pages: delivered
    },
    after: async () => {
      await phone?.client.endAsync();
      await box?.close();
    },
  });
  let officer: Page;
  let drillId = '';
  beforeAll(() => {
    officer = d.page('officer');
  });

  it('finds the household, says the drill pages real people, and starts it', async () => {
    await officer.locator('nav.side a[data-page=drills]').click();
    const form = officer.locator('form.drill-start');
    await form.waitFor();
    await officer.locator('[data-testid=drill-list], .drill-list p.muted').first().waitFor();
    await form.locator('input[name=household-q]').fill('其其格');
    const hit = form.locator(`label.hit[data-household="${HOUSEHOLD}"]`);
    await hit.waitFor();
    expect(await hit.textContent()).toContain('巴音哈太嘎查三组');
    await hit.locator('input[type=radio]').check();
    await form.locator('button[data-action=start-drill]').click();
    const confirm = form.locator('[data-testid=confirm-drill]');
    await confirm.waitFor();
    expect(await confirm.getAttribute('role')).toBe('alertdialog');
    expect(await confirm.locator('h3').textContent()).toBe('演练会通知真实人员');
    expect(await confirm.locator('p').textContent()).toContain('其其格');
    // the confirmation takes the focus: Enter on it would start, so it is read first
    expect(await officer.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe(
      'confirm-drill',
    );
    expect(await axeViolations(officer)).toEqual([]);
    await screenshot(officer, 'drill-confirm');
    expect(phone.alerts).toEqual([]); // nothing goes out before the officer confirms
    await confirm.locator('button[data-action=confirm-drill]').click();
    await officer.waitForURL(/#\/drills\/.+/);
    drillId = decodeURIComponent(officer.url().split('#/drills/')[1]!);
    await officer
      .locator(`article.drill-report[data-drill="${drillId}"] [data-testid=drill-facts]`)
      .waitFor();
    const page = await until(() => phone.alerts.find((a) => a.incidentId === drillId));
    expect(page.summary.zh.startsWith('【演练】')).toBe(true);
  });

  it('shows the drill on the board marked as a drill, in its row and its detail', async () => {
    await officer.goto(d.url('#/board'));
    const row = officer.locator(`tr[data-incident="${drillId}"]`);
    await row.waitFor();
    expect(await row.locator('.drill-badge').textContent()).toBe('演练');
    await row.click();
    const facts = officer.locator('[data-testid=incident-detail] [data-testid=incident-facts]');
    await facts.waitFor();
    expect(await facts.locator('.drill-badge').textContent()).toBe('演练');
    expect(await facts.locator('[data-fact=drill]').textContent()).toContain('演练');
    await screenshot(officer, 'drill-on-board');
    // on a phone: the officer's card, and the worker's own alert card
    const card = d.page('officerPhone').locator(`li.incident-card[data-incident="${drillId}"]`);
    expect(await card.locator('.card-head .drill-badge').textContent()).toBe('演练');
    const mine = d.page('workerPhone').locator(`article.w-alert[data-incident="${drillId}"]`);
    await mine.locator('[data-fact=drill]').waitFor(); // (his profile is Mongolian)
    expect(await mine.locator('.drill-badge').textContent()).toBe('ᠳᠠᠰᠬᠠᠯ');
    await screenshot(d.page('workerPhone'), 'drill-worker-phone');
  });

  it('reports the paged worker, his delivered page and his acknowledgement', async () => {
    await officer.goto(d.url(`#/drills/${encodeURIComponent(drillId)}`));
    const report = officer.locator('article.drill-report');
    const paged = report.locator('[data-testid=drill-paged] tr[data-person=p-bater][data-channel=mqtt]');
    // his phone app PUBACKed the page: delivered (his open dashboard took it too, on the stream)
    await report
      .locator('[data-testid=drill-paged] tr[data-person=p-bater][data-channel=mqtt][data-status=delivered]')
      .waitFor();
    expect(await paged.first().locator('td').first().textContent()).toBe('第0级 · 网格员');
    // 巴特尔 acknowledges on his phone (the worker API the app uses)
    const token = await apiToken(d.hub().httpUrl, 'bater');
    const ack = await fetch(`${d.hub().httpUrl}/api/incidents/${encodeURIComponent(drillId)}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(ack.status).toBe(200);
    const acked = report.locator('[data-fact=acknowledged][data-by=p-bater]');
    await acked.waitFor(); // the report reads itself again while the drill runs
    expect(await acked.textContent()).toMatch(/^巴特尔，发起后\d+秒确认$/);
    expect(await paged.first().locator('td').last().textContent()).toMatch(/^\d+秒$/); // delivered after
    expect(await report.locator('[data-fact=target]').textContent()).toBe('其其格');
    expect(await report.locator('[data-fact=started]').textContent()).toContain('萨仁');
    expect(await report.locator('[data-fact=policy]').textContent()).toBe('1分'); // the drill's own window
    await until(() => box.acks.find((a) => a.incidentId === drillId && a.state === 'acknowledged'));
    await report
      .locator('[data-fact=box]')
      .filter({ hasText: /已送达 [1-9]/ })
      .waitFor();
    await screenshot(officer, 'drill-report');
    expect(await axeViolations(officer)).toEqual([]);

    // printed: the report alone, without the header, the navigation or its own buttons
    await officer.emulateMedia({ media: 'print' });
    expect(await officer.locator('nav.side').isVisible()).toBe(false);
    expect(await officer.locator('header.top').isVisible()).toBe(false);
    expect(await report.locator('button[data-action=print]').isVisible()).toBe(false);
    expect(await report.locator('[data-testid=drill-paged]').isVisible()).toBe(true);
    await screenshot(officer, 'drill-report-print');
    await officer.emulateMedia({ media: 'screen' });
  });

  it('lists the drill among the drills of the officer’s units', async () => {
    await officer.goto(d.url('#/drills'));
    const row = officer.locator(`[data-testid=drill-list] tr[data-drill="${drillId}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells[1]).toBe('其其格');
    expect(cells[3]).toBe('已确认');
    await row.locator('a[data-action=open-report]').click();
    await officer.locator(`article.drill-report[data-drill="${drillId}"]`).waitFor();
  });

  it('lets a village secretary see the drills but not start one', async () => {
    const secretary = d.page('secretary');
    await secretary.locator('nav.side a[data-page=drills]').click();
    await secretary.locator('[data-testid=drills-read-only]').waitFor();
    expect(await secretary.locator('form.drill-start').count()).toBe(0);
    await secretary.locator(`[data-testid=drill-list] tr[data-drill="${drillId}"]`).waitFor();
  });

  it.each(['mn', 'en'] as const)('reads in %s, with no critical or serious axe violations', async (lang) => {
    await officer.goto(d.url('#/drills'));
    await d.setLang('officer', lang);
    await officer.locator(`[data-testid=drill-list] tr[data-drill="${drillId}"]`).waitFor();
    expect(await axeViolations(officer)).toEqual([]);
    await officer.goto(d.url(`#/drills/${encodeURIComponent(drillId)}`));
    await officer.locator('[data-testid=drill-paged] tr').first().waitFor();
    expect(await axeViolations(officer)).toEqual([]);
    if (lang === 'mn') {
      const layout = await mongolianLayout(officer);
      await screenshot(officer, 'mn-drill-report');
      expect({ sideways: layout.sideways, clipped: layout.clipped, covered: layout.covered }).toEqual({
        sideways: [],
        clipped: [],
        covered: [],
      });
    }
    expect(await officer.locator('.drill-badge').first().textContent()).toBe(
      lang === 'mn' ? 'ᠳᠠᠰᠬᠠᠯ' : 'DRILL',
    );
    await d.setLang('officer', 'zh');
  });

  it('ran without script errors', () => {
    expect(d.errors()).toEqual([]);
  });
});
