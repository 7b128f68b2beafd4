/// <reference lib="dom" />
import { generateLeague } from '@steppelink/hub/sim';
import { describe, expect, it } from 'vitest';
import { screenshot } from './support/browser.ts';
import { dashboard } from './support/dashboard.ts';

/**
 * Issue 23 smaller item: the devices page of a whole league (the simulated 2,400 households,
 * ~3,600 devices) is searched, filtered and paged by the hub, not one table of every device.
 */
const league = generateLeague({ households: 2400 });
const total = league.devices.length;

describe('dashboard: devices of a whole league', () => {
  const d = dashboard({ hub: { registry: league.doc }, people: { league: { user: 'league', lang: 'zh' } } });
  const rows = () => d.page('league').locator('table tbody tr[data-device]');
  const ids = () => rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-device')!));
  const pageText = () => d.page('league').locator('[data-testid=device-page]').textContent();

  it('shows one page of a hundred, from a small answer, and pages on', async () => {
    const page = d.page('league');
    const answers: number[] = [];
    page.on('requestfinished', async (req) => {
      if (req.url().includes('/api/devices')) answers.push((await req.sizes()).responseBodySize);
    });
    await page.goto(d.url('#/devices'));
    await rows().first().waitFor();
    expect(await rows().count()).toBe(100);
    expect(await pageText()).toBe(`第 1–100 台，共 ${total} 台`);
    expect(Math.max(...answers)).toBeLessThan(32 * 1024); // gzipped: a page, not the league
    const first = await ids();
    await page.locator('nav.pager button[data-action=next]').click();
    await page.locator('[data-testid=device-page]', { hasText: '第 101–200 台' }).waitFor();
    // the pager's text can show the new page a render before its rows do (seen under a loaded CI run)
    await expect.poll(async () => (await ids())[0]).not.toBe(first[0]);
    const second = await ids();
    expect(second).toHaveLength(100);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    await page.locator('nav.pager button[data-action=prev]').click();
    await page.locator('[data-testid=device-page]', { hasText: '第 1–100 台' }).waitFor();
    expect(await page.locator('nav.pager button[data-action=prev]').isDisabled()).toBe(true);
  });

  it("finds a household's devices by its name and by the number on a box", async () => {
    const page = d.page('league');
    const h = league.doc.households[777]!;
    const byName = league.doc.households.filter((x) => x.name.includes(h.name)).map((x) => x.id);
    const expected = league.devices
      .filter((x) => x.household && byName.includes(x.household))
      .map((x) => x.id);
    await page.locator('form.filters input[name=q]').fill(h.name);
    await page.locator('[data-testid=device-page]', { hasText: `共 ${expected.length} 台` }).waitFor();
    if (expected.length <= 100) expect((await ids()).sort()).toEqual(expected.sort());
    // every row names its household, not only its id
    const owners = await rows().evaluateAll((trs) => trs.map((tr) => tr.children[2]!.textContent ?? ''));
    expect(owners.every((o) => o.includes(h.name))).toBe(true);
    const suffix = h.id.slice(3); // stb-<suffix>, col-<suffix>, wp-<suffix>
    await page.locator('form.filters input[name=q]').fill(suffix);
    const mine = league.devices.filter((x) => x.id.endsWith(suffix)).map((x) => x.id);
    await page.locator('[data-testid=device-page]', { hasText: `共 ${mine.length} 台` }).waitFor();
    expect((await ids()).sort()).toEqual(mine.sort());
    await screenshot(page, 'devices-search');
    await page.locator('form.filters input[name=q]').fill('no-such-device');
    await page.locator('[data-testid=device-none]').waitFor();
    await page.locator('form.filters input[name=q]').fill('');
  });

  it('filters by kind and presence', async () => {
    const page = d.page('league');
    await page.locator('form.filters select[name=kind]').selectOption('tracker');
    const trackers = league.devices.filter((x) => x.kind === 'tracker').length;
    await page.locator('[data-testid=device-page]', { hasText: `共 ${trackers} 台` }).waitFor();
    expect((await ids()).every((id) => id.startsWith('trk-'))).toBe(true);
    // nobody is connected in this test: none online, all offline
    await page.locator('form.filters select[name=online]').selectOption('true');
    await page.locator('[data-testid=device-none]').waitFor();
    await page.locator('form.filters select[name=online]').selectOption('false');
    await page.locator('[data-testid=device-page]', { hasText: `共 ${trackers} 台` }).waitFor();
  });

  it('ran without script errors', () => {
    expect(d.errors()).toEqual([]);
  });
});
