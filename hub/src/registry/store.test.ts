import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Db, openDatabase } from '../state/db.ts';
import { deviceSecret, SMALL_LEAGUE } from './fixture.ts';
import type { Registry } from './registry.ts';
import { registryDocumentSchema } from './schema.ts';
import { verifySecret } from './secrets.ts';
import { openSqliteRegistry } from './sqlite-store.ts';

describe('Registry (the read model over the SQLite store)', () => {
  let dir: string;
  let db: Db;
  let store: Registry;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sl-registry-'));
    db = openDatabase(join(dir, 'state.db'));
    store = openSqliteRegistry(db, { pollMs: 5 });
  });
  afterEach(() => {
    store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves frozen records from memory, with its own writes at once and another connection's once the store says so", async () => {
    await store.importDocument(SMALL_LEAGUE);
    const box = 'stb-150824-104-0007';
    const first = store.getDevice(box);
    expect(first?.enabled).toBe(true);
    expect(store.getDevice(box)).toBe(first); // the same record, no copy
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(store.getHousehold('hh-150824-104-0007')?.pasture?.coordinates[0])).toBe(true);
    expect(await store.setDeviceEnabled(box, false)).toBe(true);
    expect(store.getDevice(box)?.enabled).toBe(false);
    expect(await store.setDeviceEnabled('stb-nope', false)).toBe(false);
    let changes = 0;
    store.onChange(() => changes++);
    // the CLI, in another process, renames a person and re-enables the box
    const cli = openDatabase(join(dir, 'state.db'));
    cli.prepare('UPDATE people SET name = ? WHERE id = ?').run('巴特尔（新）', 'p-bater');
    cli.prepare('UPDATE devices SET enabled = 1 WHERE id = ?').run(box);
    cli.close();
    await vi.waitFor(() => expect(store.getPerson('p-bater')?.name).toBe('巴特尔（新）'));
    expect(store.getDevice(box)?.enabled).toBe(true);
    expect(store.peopleWithRole('150824-104-007-03', 'grid-worker').map((p) => p.name)).toEqual([
      '巴特尔（新）',
    ]);
    expect(changes).toBeGreaterThan(0);
  });

  it('imports the small league and answers routing questions', async () => {
    const r = await store.importDocument(SMALL_LEAGUE);
    expect(r).toMatchObject({ ok: true, summary: { units: 10, households: 6, devices: 9 } });
    expect(store.unitChain('150824-104-007-03').map((u) => u.level)).toEqual([
      'grid',
      'gacha',
      'sumu',
      'banner',
      'league',
    ]);
    expect(store.isWithin('150824-104-007-03', '150824')).toBe(true);
    expect(store.isWithin('150824-104-007-03', '150825')).toBe(false);
    expect(store.deviceUnitChain('stb-150824-104-0007')).toEqual([
      '150824-104-007-03',
      '150824-104-007',
      '150824-104',
      '150824',
      '150800',
    ]);
    expect(store.deviceUnitChain('trk-patrol-150825-03')).toEqual(['150825-201', '150825', '150800']);
    expect(store.peopleWithRole('150824-104-007-03', 'grid-worker').map((p) => p.name)).toEqual(['巴特尔']);
    expect(
      store
        .householdsInUnit('150824')
        .map((h) => h.id)
        .sort(),
    ).toHaveLength(4);
    expect(
      store
        .listDevices({ unitId: '150825' })
        .map((d) => d.id)
        .sort(),
    ).toEqual(['stb-150825-201-0021', 'stb-150825-201-0022', 'trk-patrol-150825-03']);
    const dev = store.getDevice('stb-150824-104-0007');
    expect(dev?.secretHash).toMatch(/^scrypt\$/);
    expect(dev?.secretHash).not.toContain(deviceSecret('stb-150824-104-0007'));
    expect(await verifySecret(deviceSecret('stb-150824-104-0007'), dev!.secretHash!)).toBe(true);
    expect(await verifySecret('wrong-secret-value', dev!.secretHash!)).toBe(false);
  });

  it('is idempotent: a re-import updates and never duplicates, and keeps hashes', async () => {
    await store.importDocument(SMALL_LEAGUE);
    const before = store.getDevice('stb-150824-104-0007')?.secretHash;
    const renamed = structuredClone(SMALL_LEAGUE);
    renamed.households[0]!.name = '其其格（改）';
    expect((await store.importDocument(renamed)).ok).toBe(true);
    expect(db.prepare('SELECT count(*) FROM households').pluck().get()).toBe(6);
    expect(db.prepare('SELECT count(*) FROM person_roles').pluck().get()).toBe(12);
    expect(store.getHousehold('hh-150824-104-0007')?.name).toBe('其其格（改）');
    expect(store.getDevice('stb-150824-104-0007')?.secretHash).toBe(before);
  });

  it('reports every bad row and changes nothing', async () => {
    const bad = registryDocumentSchema.parse({
      units: [
        {
          id: '150826',
          level: 'banner',
          parent: 'nowhere',
          name: { zh: '某旗', mn: 'ᠬᠣᠰᠢᠭᠤ', en: 'Some Banner' },
        },
      ],
      households: [{ id: 'hh-x', grid: '150824', name: '某户', location: { lat: 42, lon: 108 } }],
      devices: [{ id: 'stb-x', kind: 'settop', household: 'hh-missing', secret: 'long-enough-secret-1' }],
    });
    await store.importDocument(SMALL_LEAGUE);
    const r = await store.importDocument(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => `${e.section}[${e.index}].${e.field}`)).toEqual([
      'units[0].parent',
      'households[0].grid',
      'devices[0].household',
    ]);
    expect(r.errors[1]?.reason).toContain('is a banner, not a grid');
    expect(store.getUnit('150826')).toBeUndefined();
    expect(store.getDevice('stb-x')).toBeUndefined();
  });

  it('rejects a device bound to both a household and a team, and reserved ids', () => {
    const r = registryDocumentSchema.safeParse({
      devices: [
        { id: 'stb-y', kind: 'settop', household: 'a', team: 'b' },
        { id: 'unit', kind: 'settop', household: 'a' },
      ],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['devices.0.household', 'devices.1.id']);
  });
});
