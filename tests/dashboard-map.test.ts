/// <reference lib="dom" />
import { createStandardModules } from '@steppelink/hub';
import { generateLeague, simBorder, simZones } from '@steppelink/hub/sim';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot } from './support/browser.ts';
import { dashboard } from './support/dashboard.ts';

/**
 * Issue 23 defect 4, the map at league size: the simulated league (2,400 households, ~3,600
 * devices, boundaries for every unit and a pasture per household) as the league's duty officer
 * sees it. Households and devices are clustered and a cluster opens where it splits; the map asks
 * the hub for the view only, a few dozen KiB; boundaries and pastures come at the zooms where they
 * mean something; no two place names overlap at any zoom.
 */
const league = generateLeague({ households: 2400 });
const modules = createStandardModules({
  incidents: { jobs: false },
  rulesTick: false,
  zones: simZones(league, simBorder()),
});

/** The visible place names on the map and whether any two of them overlap. */
const labelsOn = (page: Page) =>
  page.locator('.leaflet-container').evaluate((c) => {
    const rects = Array.from(c.querySelectorAll('.unit-label:not(.label-hidden) span')).map((s) => {
      const r = s.getBoundingClientRect();
      return { text: s.textContent ?? '', l: r.left, r: r.right, t: r.top, b: r.bottom };
    });
    const overlaps: string[] = [];
    for (let i = 0; i < rects.length; i++)
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i]!;
        const b = rects[j]!;
        if (a.l < b.r && a.r > b.l && a.t < b.b && a.b > b.t) overlaps.push(`${a.text} × ${b.text}`);
      }
    return { names: rects.map((r) => r.text), overlaps };
  });

describe('dashboard: the map of a whole league', () => {
  const d = dashboard({
    hub: { registry: league.doc, modules: modules.list },
    people: { league: { user: 'league', lang: 'zh' } },
  });
  /**
   * Generous for chromium while the whole suite loads both cores. (The CI timeouts blamed on load
   * here were the open map ignoring a new map link when two hash changes came before one render:
   * the test below.)
   */
  const SLOW = 90_000;
  const at = async (lat: number, lon: number, zoom: number) => {
    const page = d.page('league');
    await page.goto(d.url('#/board'));
    await page.goto(d.url(`#/map/${lat},${lon},${zoom}`));
    await page.locator(`[data-testid=map][data-loaded=yes][data-zoom="${zoom}"]`).waitFor({ timeout: SLOW });
  };

  it('opens on the league in clusters, from a few dozen KiB of the hub’s answers', async () => {
    const page = d.page('league');
    const api: { url: string; bytes: number; encoding: string }[] = [];
    page.on('requestfinished', async (req) => {
      if (!req.url().includes('/api/')) return;
      const res = await req.response();
      api.push({
        url: req.url(),
        bytes: (await req.sizes()).responseBodySize,
        encoding: (await res?.headerValue('content-encoding')) ?? '',
      });
    });
    await page.goto(d.url('#/map'));
    const map = page.locator('[data-testid=map][data-loaded=yes]');
    await map.waitFor();
    await page.locator('[data-testid=map][data-basemap]:not([data-basemap=none])').waitFor();
    expect(Number(await map.getAttribute('data-households'))).toBe(2400); // every household is in the view, clustered
    const clusters = Number(await map.getAttribute('data-clusters'));
    expect(clusters).toBeGreaterThan(3);
    expect(clusters).toBeLessThan(300);
    expect(await page.locator('.leaflet-marker-icon.cluster-hh').count()).toBeGreaterThan(3);
    expect(Number(await map.getAttribute('data-pastures'))).toBe(0); // pastures only close up
    const mapCalls = api.filter((a) => /\/api\/(map|rules)\//.test(a.url));
    const bytes = mapCalls.reduce((n, a) => n + a.bytes, 0);
    console.log(
      `map opened with ${api.length} API answers, ${(bytes / 1024).toFixed(1)} KiB on the wire for the map's own`,
    );
    expect(bytes).toBeLessThan(64 * 1024); // the old map pulled ~1.1 MB before drawing anything
    expect(mapCalls.filter((a) => a.bytes > 1024 && a.encoding !== 'gzip')).toEqual([]);
    await screenshot(page, 'map-league');
  });

  it('opens a cluster where it splits, down to each household', async () => {
    const page = d.page('league');
    const map = page.locator('[data-testid=map]');
    const zoomBefore = Number(await map.getAttribute('data-zoom'));
    // the biggest household cluster
    const biggest = page.locator('.leaflet-marker-icon.cluster-hh').first();
    const name = await biggest.getAttribute('aria-label');
    expect(name).toMatch(/^\d+ 户$/);
    await biggest.dispatchEvent('click');
    await page.locator(`[data-testid=map][data-loaded=yes]:not([data-zoom="${zoomBefore}"])`).waitFor();
    expect(Number(await map.getAttribute('data-zoom'))).toBeGreaterThan(zoomBefore);
    // one camp close up: every household there on its own, named
    const h = league.doc.households[0]!;
    await at(h.location.lat, h.location.lon, 15);
    await page
      .locator(`.leaflet-overlay-pane path[aria-label="${h.name}"]`)
      .first()
      .waitFor({ timeout: SLOW });
    expect(await page.locator('.leaflet-marker-icon.cluster-hh').count()).toBe(0);
  });

  it('draws boundaries and pastures at the zooms they fit, and never lets two names overlap', async () => {
    const page = d.page('league');
    const h = league.doc.households[1200]!;
    const seen: Record<number, string[]> = {};
    for (const zoom of [7, 9, 11, 13]) {
      await at(h.location.lat, h.location.lon, zoom);
      const { names, overlaps } = await labelsOn(page);
      expect(overlaps, `zoom ${zoom}`).toEqual([]);
      expect(names.length, `zoom ${zoom}`).toBeGreaterThan(0);
      seen[zoom] = names;
      const pastures = Number(await page.locator('[data-testid=map]').getAttribute('data-pastures'));
      if (zoom < 11) expect(pastures, `zoom ${zoom}`).toBe(0);
      else expect(pastures, `zoom ${zoom}`).toBeGreaterThan(0);
      await screenshot(page, `map-zoom-${zoom}`);
    }
    // the banners are named at the league's zoom; the groups (一组, 二组 …) only close up
    expect(seen[7]!.some((n) => n.startsWith('乌拉特'))).toBe(true);
    expect(seen[7]!.some((n) => /组$/.test(n))).toBe(false);
    expect(seen[13]!.some((n) => /组$/.test(n))).toBe(true);
  });

  it('moves to a map link followed while the map is open (no page change in between)', async () => {
    // an officer on the map who follows another map link (a shared view, an incident's place):
    // the open map moves there; it used to read the link only when it was first drawn
    const page = d.page('league');
    const [a, b] = [league.doc.households[0]!, league.doc.households[2000]!];
    await at(a.location.lat, a.location.lon, 9);
    await page.evaluate(
      ([lat, lon]) => {
        location.hash = `#/map/${lat},${lon},14`;
      },
      [b.location.lat, b.location.lon],
    );
    await page.locator('[data-testid=map][data-loaded=yes][data-zoom="14"]').waitFor({ timeout: SLOW });
    await page
      .locator(`.leaflet-overlay-pane path[aria-label="${b.name}"]`)
      .first()
      .waitFor({ timeout: SLOW });
  });

  it('ran without script errors', () => {
    expect(d.errors()).toEqual([]);
  });
});
