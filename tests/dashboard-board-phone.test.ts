/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './support/a11y.ts';
import { PHONE, screenshot } from './support/browser.ts';
import { dashboard, type Lang } from './support/dashboard.ts';
import { type Box, connectBox, connectPhone, type Phone } from './support/devices.ts';
import { mongolianLayout } from './support/mongolian-layout.ts';

/**
 * Issue 23 smaller item: the officer's board overflowed a 390×844 phone (its table scrolled
 * sideways inside its box). On a phone the board is a list of cards, one per incident, with the
 * facts of the wall screen's row (category, the household's note, the full place, state, level and
 * countdown, age), the pages' delivery state and the actions; in zh, traditional Mongolian
 * (columns top to bottom) and en, with nothing wider than the screen and no critical or serious
 * axe finding. The wall screen keeps its table.
 */
const BOX = 'stb-150824-104-0007';
const NOTE = '老人胸口疼';
/** What each language calls the press, its state once paged and a page the phone acknowledged. */
const WORDS: Record<Lang, { what: string; notified: string; acknowledged: string; delivered: string }> = {
  zh: { what: '急病', notified: '已通知', acknowledged: '已确认', delivered: '已送达' },
  mn: {
    what: 'ᠥᠪᠴᠢᠨ',
    notified: 'ᠮᠡᠳᠡᠭᠳᠡᠭᠰᠡᠨ',
    acknowledged: 'ᠪᠠᠲᠤᠯᠠᠭᠰᠠᠨ',
    delivered: 'ᠬᠦᠷᠭᠡᠭᠳᠡᠭᠰᠡᠨ',
  },
  en: { what: 'Medical', notified: 'Paged', acknowledged: 'Acknowledged', delivered: 'Delivered' },
};

/** How far the page, the board and any card reach past the screen's right edge (px). */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const board = document.querySelector('.board-list');
    const cards = Array.from(
      document.querySelectorAll('.incident-card'),
      (c) => c.getBoundingClientRect().right,
    );
    return {
      page: document.documentElement.scrollWidth - window.innerWidth,
      board: board ? board.scrollWidth - board.clientWidth : Number.NaN,
      card: Math.max(0, ...cards) - window.innerWidth,
    };
  });

describe("dashboard: the officer's board on a phone is a list of cards", () => {
  const d = dashboard({
    people: {
      officer: { user: 'saren', viewport: PHONE },
      wall: { user: 'saren' },
    },
  });
  let officer: Page;
  let box: Box;
  let bater: Phone;
  const seen = new Set<string>();

  beforeAll(async () => {
    officer = d.page('officer');
    box = await connectBox(d.hub().mqttUrl, BOX);
    // the grid worker's app is connected: his page is delivered (a PUBACK)
    bater = await connectPhone(d.hub().mqttUrl, 'p-bater', 'bater');
    await officer.goto(d.url('#/board'));
    await officer.locator('[data-conn=live]').waitFor();
  });
  afterAll(async () => {
    await bater?.client.endAsync();
    await box?.close();
  });

  it.each(['zh', 'mn', 'en'] as Lang[])(
    'in %s an SOS press appears as a card with its facts, nothing wider than the screen',
    async (lang) => {
      const w = WORDS[lang];
      await officer.goto(d.url('#/board'));
      await d.setLang('officer', lang);
      await box.sos({ category: 'medical', note: NOTE, power: { source: 'battery', battery: 40 } });
      // the press's own card: a new incident id (the earlier languages' ones were resolved)
      const card = officer.locator('li.incident-card[data-state=notified]').first();
      await card.waitFor();
      const id = (await card.getAttribute('data-incident'))!;
      expect(seen.has(id), 'a new incident for this press').toBe(false);
      seen.add(id);

      // no table on the phone: the card list instead
      expect(await officer.locator('table.incidents').count()).toBe(0);
      expect(await card.locator('h2.what').textContent()).toBe(w.what);
      expect(await card.locator('.sos-note').textContent()).toBe(NOTE);
      expect(await card.locator('[data-fact=power]').textContent()).toContain('40%');
      const place = (await card.locator('[data-fact=place]').textContent()) ?? '';
      // league › banner › sumu › gacha › grid › household, whatever the language's names
      expect(place.split(' › ')).toHaveLength(6);
      expect(place.endsWith('其其格')).toBe(true);
      expect(await card.locator('.card-head .state').textContent()).toBe(w.notified);
      expect(await card.locator('[data-fact=age] .age').textContent()).toMatch(/\d/);
      expect(await card.locator('[data-fact=level] .countdown').textContent()).toMatch(/\d/);
      const delivered = card.locator('[data-fact=delivery] .dlv[data-status=delivered]');
      await delivered.waitFor();
      expect(await delivered.locator('.dlv-label').textContent()).toBe(w.delivered);
      expect(Number(await delivered.getAttribute('data-n'))).toBeGreaterThanOrEqual(1);
      for (const a of ['ack', 'dispatch', 'resolve', 'false-alarm']) {
        expect(await card.locator(`button[data-action=${a}]`).isVisible(), a).toBe(true);
      }

      const o = await overflow(officer);
      expect({ page: o.page, board: o.board, cardPastEdge: o.card > 0 }).toEqual({
        page: 0,
        board: 0,
        cardPastEdge: false,
      });
      if (lang === 'mn') {
        await officer.evaluate(() => window.scrollTo(0, 0));
        const layout = await mongolianLayout(officer);
        expect(layout.checked).toBeGreaterThan(3);
        expect({ sideways: layout.sideways, clipped: layout.clipped, covered: layout.covered }).toEqual({
          sideways: [],
          clipped: [],
          covered: [],
        });
      }
      await officer.evaluate(() => window.scrollTo(0, 0));
      await screenshot(officer, `board-phone-cards-${lang}`);
      expect(await axeViolations(officer)).toEqual([]);

      // the keyboard: the card's link opens the detail, Escape closes it and returns to the card
      await card.locator('a.card-open').focus();
      await officer.keyboard.press('Enter');
      await officer.locator(`[data-testid=incident-detail][data-incident="${id}"]`).waitFor();
      await officer.keyboard.press('Escape');
      await officer.locator('[data-testid=incident-detail]').waitFor({ state: 'detached' });
      await officer.waitForFunction(
        (i) => document.activeElement?.closest('.incident-card')?.getAttribute('data-incident') === i,
        id,
      );

      // the card's own actions: acknowledge, then resolve (the card leaves the open board)
      await card.locator('button[data-action=ack]').click();
      const acked = officer.locator(`li.incident-card[data-incident="${id}"][data-state=acknowledged]`);
      await acked.waitFor();
      expect(await acked.locator('.card-head .state').textContent()).toBe(w.acknowledged);
      await acked.locator('button[data-action=resolve]').click();
      await officer.locator(`li.incident-card[data-incident="${id}"]`).waitFor({ state: 'detached' });
    },
  );

  it('the wall screen keeps the table', async () => {
    const wall = d.page('wall');
    await wall.goto(d.url('#/board'));
    await wall.locator('label.toggle input[type=checkbox]').check(); // the resolved ones too
    await wall.locator('table.incidents tr[data-incident]').first().waitFor();
    expect(await wall.locator('table.incidents tr[data-incident]').count()).toBe(seen.size);
    expect(await wall.locator('.incident-cards').count()).toBe(0);
  });

  it('ran without script errors', () => {
    expect(d.errors()).toEqual([]);
  });
});
