import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryDocumentSchema } from '../registry/schema.ts';
import { openSqliteRegistry } from '../registry/sqlite-store.ts';
import { openDatabase } from '../state/db.ts';
import { generateLeague } from './league.ts';

describe('generateLeague', () => {
  it('draws a valid, importable league of the requested size', async () => {
    const { doc, devices, logins } = generateLeague({ households: 300 });
    expect(registryDocumentSchema.safeParse(doc).success).toBe(true);
    expect(doc.households).toHaveLength(300);
    expect(doc.units.filter((u) => u.level === 'banner').map((u) => u.id)).toEqual(['150824', '150825']);
    expect(devices.filter((d) => d.kind === 'settop')).toHaveLength(300);
    expect(devices.some((d) => d.kind === 'tracker')).toBe(true);
    expect(logins.map((l) => l.username)).toEqual([
      'admin',
      'league',
      'urad-middle',
      'urad-rear',
      'station',
      'worker',
    ]);

    const dir = mkdtempSync(join(tmpdir(), 'sl-league-'));
    try {
      const db = openDatabase(join(dir, 'state.db'));
      const store = openSqliteRegistry(db);
      const r = await store.importDocument(doc);
      expect(r.ok ? r.summary.households : r.errors).toBe(300);
      // every box hears its grid, gacha, sumu, banner and league
      const box = devices.find((d) => d.kind === 'settop')!;
      expect(store.deviceUnitChain(box.id)).toEqual(box.units);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the grid system in proportion: one grid worker per 5-15 households', () => {
    const { doc } = generateLeague({ households: 1000 });
    for (const grid of doc.units.filter((u) => u.level === 'grid')) {
      const hh = doc.households.filter((h) => h.grid === grid.id).length;
      const workers = doc.people.filter((p) =>
        p.roles.some((r) => r.role === 'grid-worker' && r.unit === grid.id),
      ).length;
      expect(workers).toBeGreaterThan(0);
      expect(hh / workers).toBeLessThanOrEqual(15);
    }
    for (const h of doc.households) {
      // the two Urad banners (geo/geography.test.ts checks banner, grid and border exactly)
      expect(h.location.lat).toBeGreaterThan(41.2);
      expect(h.location.lat).toBeLessThan(42.45);
      expect(h.location.lon).toBeGreaterThan(105.3);
      expect(h.location.lon).toBeLessThan(109.7);
    }
  });

  it('is deterministic for a seed and different across seeds', () => {
    const a = generateLeague({ households: 50, seed: 7 });
    const b = generateLeague({ households: 50, seed: 7 });
    const c = generateLeague({ households: 50, seed: 8 });
    expect(a.doc).toEqual(b.doc);
    expect(c.doc.households.map((h) => h.name)).not.toEqual(a.doc.households.map((h) => h.name));
  });
});
