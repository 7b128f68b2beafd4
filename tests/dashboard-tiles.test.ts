/// <reference lib="dom" />
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTileArchive, type TileArchive } from '@steppelink/hub';
import { afterAll, describe, expect, it } from 'vitest';
import { screenshot } from './support/browser.ts';
import { dashboard } from './support/dashboard.ts';
import { solidPng, writePmtiles } from './support/pmtiles.ts';

/**
 * Issue 23 defect 4: an operator-supplied offline tile archive. A PMTiles file written here (no
 * internet, no download) is given to the hub as STEPPELINK_PMTILES would; the hub reads it with
 * the pmtiles package and serves /tiles/{z}/{x}/{y}.png from disk; the map draws those tiles over
 * the Natural Earth basemap.
 */
const dir = mkdtempSync(join(tmpdir(), 'sl-tiles-'));
const archivePath = join(dir, 'urad.pmtiles');
const GREEN = solidPng([40, 120, 60]);
const tiles = [
  { z: 0, x: 0, y: 0, data: solidPng([30, 30, 90]) },
  ...[0, 1].flatMap((x) =>
    [0, 1].map((y) => ({ z: 1, x, y, data: solidPng([60, 60, 120 + 40 * x + 20 * y]) })),
  ),
  { z: 2, x: 3, y: 1, data: GREEN }, // the tile over the Urad banners
];
writePmtiles(archivePath, tiles, { bounds: [105, 40, 110, 43] });
let archive: TileArchive | undefined;

describe('dashboard: the operator’s PMTiles archive', () => {
  const d = dashboard({
    site: async () => {
      archive = await openTileArchive(archivePath);
      return { tileArchive: archive };
    },
    people: { wall: { user: 'saren' } },
  });
  afterAll(async () => {
    await archive?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves each tile of the archive byte for byte, and 404 where it has none', async () => {
    const config = await (await fetch(d.url('dashboard-config.json'))).json();
    expect(config.map.tiles).toMatchObject({ url: '/tiles/{z}/{x}/{y}.png', maxZoom: 2 });
    for (const t of tiles) {
      const res = await fetch(d.url(`tiles/${t.z}/${t.x}/${t.y}.png`));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(t.data))).toBe(true);
    }
    for (const missing of ['tiles/2/0/0.png', 'tiles/3/6/3.png', 'tiles/1/1/0.jpg', 'tiles/1/x/0.png'])
      expect((await fetch(d.url(missing))).status, missing).toBe(404);
  });

  it('refuses a vector archive with a sentence saying what to give', async () => {
    const vector = join(dir, 'vector.pmtiles');
    writePmtiles(vector, [{ z: 0, x: 0, y: 0, data: new Uint8Array([1, 2, 3]) }], { tileType: 1 });
    await expect(openTileArchive(vector)).rejects.toThrow(/vector \(MVT\).*raster/);
    const junk = join(dir, 'junk.pmtiles');
    (await import('node:fs')).writeFileSync(junk, 'not an archive');
    await expect(openTileArchive(junk)).rejects.toThrow(/not a PMTiles v3 archive/);
  });

  it('the map draws the archive’s tiles over the basemap', async () => {
    const page = d.page('wall');
    await page.goto(d.url('#/map/41.9,107.5,2'));
    const map = page.locator('[data-testid=map][data-loaded=yes]');
    await map.waitFor();
    expect(await map.getAttribute('data-tiles')).toBe('/tiles/{z}/{x}/{y}.png');
    const green = page.locator('img.leaflet-tile[src$="/tiles/2/3/1.png"]');
    await green.waitFor();
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLImageElement>('img.leaflet-tile[src*="/tiles/2/3/1"]')).some(
        (img) => img.complete && img.naturalWidth === 256,
      ),
    );
    await page.locator('[data-testid=map][data-basemap]:not([data-basemap=none])').waitFor();
    await screenshot(page, 'map-pmtiles');
  });

  it('ran without script errors', () => {
    // (tiles the archive lacks answer 404: the browser logs them, Leaflet shows the basemap there)
    expect(d.errors()).toEqual([]);
  });
});
