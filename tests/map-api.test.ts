import { gzipSync } from 'node:zlib';
import { generateLeague } from '@steppelink/hub/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, startTestHub, type TestHub } from './support/hub.ts';

/**
 * Issue 23 defect 4: the map asks for what is on screen. Against a real hub holding the simulated
 * league (2,400 households, ~3,600 devices, pastures and boundaries for every unit), the bytes of
 * the old way — every device, household, position and upper unit's boundary at once — are set
 * against the viewport answers at the league view and close up. The figures are printed.
 */
type BBox = [number, number, number, number];
type Item = { type: string; lat: number; lon: number; count?: number; id?: string | number };

describe('the map API by viewport and zoom', () => {
  const league = generateLeague({ households: 2400 });
  let t: TestHub;
  let auth: { authorization: string };
  const get = async (path: string, who = auth) => {
    const res = await fetch(`${t.httpUrl}${path}`, { headers: who });
    const text = await res.text();
    return {
      status: res.status,
      bytes: Buffer.byteLength(text),
      gz: gzipSync(text).length,
      body: JSON.parse(text),
    };
  };
  const q = (b: BBox, zoom: number) => `bbox=${b.join(',')}&zoom=${zoom}`;

  beforeAll(async () => {
    t = await startTestHub({ registry: league.doc });
    auth = { authorization: `Bearer ${await apiToken(t.httpUrl, 'league')}` };
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('sends the league view in a small fraction of what the old map pulled at once', async () => {
    // the old map: every page of devices and households, all latest positions, every upper unit in full
    let old = 0;
    for (const list of ['devices', 'households']) {
      for (let offset = 0; ; offset += 1000) {
        const r = await get(`/api/${list}?limit=1000&offset=${offset}`);
        old += r.bytes;
        if (offset + 1000 >= r.body.total) break;
      }
    }
    old += (await get('/api/positions/latest')).bytes;
    const tree = await get('/api/units');
    old += tree.bytes;
    const upper = league.doc.units.filter((u) => u.level !== 'grid').slice(0, 60);
    for (const u of upper) old += (await get(`/api/units/${u.id}`)).bytes;

    const extent = await get('/api/map/extent');
    // (a patrol tracker is on the map once it has sent a fix; here none has)
    const placed = league.devices.filter((d) => d.household).length;
    expect(extent.body).toMatchObject({ households: 2400, devices: placed });
    const bbox = extent.body.bbox as BBox;
    const views = await Promise.all(
      ['households', 'devices', 'areas'].map((layer) => get(`/api/map/${layer}?${q(bbox, 7)}`)),
    );
    const now = extent.bytes + views.reduce((n, v) => n + v.bytes, 0);
    const nowGz = extent.gz + views.reduce((n, v) => n + v.gz, 0);
    console.log(
      `map bytes at the league view: old ${(old / 1024).toFixed(0)} KiB at once; now ${(now / 1024).toFixed(1)} KiB (${(nowGz / 1024).toFixed(1)} KiB gzipped)`,
    );
    expect(old).toBeGreaterThan(900 * 1024); // the ~1.1 MB the issue measured
    expect(now).toBeLessThan(old / 20);
    expect(now).toBeLessThan(64 * 1024);
    // every household is in some cluster or shown on its own
    const hh = views[0]!.body.items as Item[];
    expect(hh.reduce((n, i) => n + (i.type === 'cluster' ? i.count! : 1), 0)).toBe(2400);
    expect(hh.length).toBeLessThan(200);
    // no pastures and no grid boundaries at the league view
    expect(views[2]!.body.pastures).toEqual([]);
    expect(
      views[2]!.body.units.filter(
        (u: { level: string; boundary: unknown }) => u.boundary && u.level === 'grid',
      ),
    ).toEqual([]);
  });

  it('close up, shows each household in the view on its own, with pastures and grid boundaries', async () => {
    const h = league.doc.households[1234]!;
    const d = 0.03; // ≈ 5 km around one camp
    const bbox: BBox = [h.location.lon - d, h.location.lat - d, h.location.lon + d, h.location.lat + d];
    const inBox = league.doc.households.filter(
      (x) =>
        x.location.lon >= bbox[0] &&
        x.location.lon <= bbox[2] &&
        x.location.lat >= bbox[1] &&
        x.location.lat <= bbox[3],
    );
    const near = await get(`/api/map/households?${q(bbox, 14)}`);
    const items = near.body.items as Item[];
    expect(items.every((i) => i.type === 'household')).toBe(true);
    expect(items.map((i) => i.id).sort()).toEqual(inBox.map((x) => x.id).sort());
    const areas = await get(`/api/map/areas?${q(bbox, 14)}`);
    const pastures = areas.body.pastures as { id: string }[];
    expect(pastures.map((p) => p.id)).toContain(h.id);
    expect(pastures.length).toBeLessThan(league.doc.households.length / 10);
    const grids = (areas.body.units as { id: string; level: string; boundary: unknown }[]).filter(
      (u) => u.level === 'grid' && u.boundary,
    );
    expect(grids.map((g) => g.id)).toContain(h.grid);
    // the same view zoomed out to 9: no pastures, no grid boundaries, gachas outlined
    const wide = await get(`/api/map/areas?${q(bbox, 9)}`);
    expect(wide.body.pastures).toEqual([]);
    const levels = new Set(
      (wide.body.units as { level: string; boundary: unknown }[])
        .filter((u) => u.boundary)
        .map((u) => u.level),
    );
    expect([...levels].sort()).toEqual(['banner', 'gacha', 'sumu']);
  });

  it("answers within the caller's units: a banner officer's view holds only that banner", async () => {
    const middle = { authorization: `Bearer ${await apiToken(t.httpUrl, 'urad-middle')}` };
    const extent = await get('/api/map/extent', middle);
    const mine = league.doc.households.filter((h) => h.grid.startsWith('150824'));
    expect(extent.body.households).toBe(mine.length);
    const all = await get(`/api/map/households?${q([100, 35, 115, 50], 3)}`, middle);
    expect((all.body.items as Item[]).reduce((n, i) => n + (i.count ?? 1), 0)).toBe(mine.length);
    const areas = await get(`/api/map/areas?${q([100, 35, 115, 50], 7)}`, middle);
    expect((areas.body.units as { id: string }[]).every((u) => u.id.startsWith('150824'))).toBe(true);
  });

  it('refuses a box that is not west,south,east,north', async () => {
    for (const bad of ['1,2,3', '108,42,107,43', 'a,b,c,d']) {
      const r = await get(`/api/map/households?bbox=${bad}&zoom=7`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe('invalid_query');
    }
  });
});
