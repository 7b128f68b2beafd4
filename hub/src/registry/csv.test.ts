import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastLeague } from '../api/test-support.ts';
import { type Db, openDatabase } from '../state/db.ts';
import { readSheet, toCsv } from './csv.ts';
import { columnOf, detectSheet, headerRow } from './csv-columns.ts';
import { members, membersCell, sheetDocument } from './csv-import.ts';
import { importText } from './import.ts';
import type { Household } from './schema.ts';
import type { Registry } from './registry.ts';
import { openSqliteRegistry } from './sqlite-store.ts';

const GRID = '150824-104-007-03';

describe('CSV sheets', () => {
  let db: Db;
  let store: Registry;
  beforeAll(async () => {
    db = openDatabase(':memory:');
    store = openSqliteRegistry(db);
    await store.importDocument(fastLeague());
  });
  afterAll(() => db.close());

  it('matches Chinese, English and bilingual headers', () => {
    expect(columnOf('households', '户编号')).toBe('id');
    expect(columnOf('households', '户编号 id')).toBe('id');
    expect(columnOf('households', '纬度(lat)')).toBe('lat');
    expect(columnOf('households', 'Longitude')).toBe('lon');
    expect(columnOf('devices', '户编号')).toBe('household');
    expect(columnOf('devices', 'household id')).toBe('household');
    expect(columnOf('devices', 'id kind')).toBeUndefined(); // ambiguous
    expect(detectSheet(['设备编号', '类型', '户编号'])).toBe('devices');
    expect(detectSheet(['户编号', '网格', '户主'])).toBe('households');
    expect(detectSheet(['a', 'b'])).toBeUndefined();
  });

  it('numbers rows by the line they start on, across quoted line breaks and blank lines', () => {
    const text = `\uFEFFid,grid,name,lat,lon,notes\r\nhh-1,${GRID},其其格,42.1,108.4,"冬营地在北山，\r\n夏营地在南滩"\r\n\r\nhh-2,${GRID},"巴特""老二""",42.2,108.5,\r\nhh-3,${GRID},王秀兰,42.3,108.6,`;
    const r = readSheet(text, 'households');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.rows.map((x) => x.line)).toEqual([2, 5, 6]);
    expect(r.rows[0]?.cells.notes).toBe('冬营地在北山，\r\n夏营地在南滩');
    expect(r.rows[1]?.cells.name).toBe('巴特"老二"');
  });

  it('reports unknown, missing and repeated columns on line 1, and rows with extra cells on their line', () => {
    const r = readSheet('户编号,户主,户主,颜色\nhh-1,a,b,c\n', 'households');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const msgs = r.errors.map((e) => `${e.line} ${e.reason}`);
    expect(msgs).toContainEqual(expect.stringMatching(/^1 column name appears twice/));
    expect(msgs).toContainEqual(expect.stringMatching(/^1 unknown column "颜色"/));
    expect(msgs).toContainEqual('1 missing column 网格/grid');
    const extra = readSheet(
      `id,grid,name,lat,lon\nhh-1,${GRID},a,42.1,108.4\nhh-2,${GRID},张,三,42.1,108.4\n`,
      'households',
    );
    expect(extra.ok ? [] : extra.errors).toEqual([
      expect.objectContaining({
        line: 3,
        reason: expect.stringMatching(/has 6 cells but the header has 5; quote cells that contain commas/),
      }),
    ]);
  });

  it('reports a quote left open with the line where the file stops making sense', () => {
    const r = readSheet(`id,grid,name,lat,lon\nhh-1,${GRID},"其其格,42.1,108.4\n`, 'households');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.reason).toMatch(/not readable as CSV/);
  });

  it('reads members as "name:phone:note" separated by ; or ；', () => {
    expect(members('其其格:15247801234；巴雅尔::78岁，高血压; 苏和')).toEqual([
      { name: '其其格', phone: '15247801234' },
      { name: '巴雅尔', note: '78岁，高血压' },
      { name: '苏和' },
    ]);
    expect(members('')).toEqual([]);
  });

  it('reads a devices sheet with Chinese kinds and 是/否, keeping what the sheet has no column for', () => {
    const csv =
      '设备编号,类型,户编号,护边队,启用\nstb-150824-104-0031,机顶盒,hh-150824-104-0009,,否\ntrk-patrol-150825-04,定位器,,team-150825-201-border,\n';
    const r = sheetDocument(csv, store);
    if (!r.ok || r.sheet !== 'devices') throw new Error(JSON.stringify(r));
    expect(r.devices).toEqual([
      expect.objectContaining({
        id: 'stb-150824-104-0031',
        kind: 'settop',
        household: 'hh-150824-104-0009',
        enabled: false,
      }),
      expect.objectContaining({
        id: 'trk-patrol-150825-04',
        kind: 'tracker',
        team: 'team-150825-201-border',
        enabled: true,
      }),
    ]);
    // the disabled fixture device stays disabled when a sheet without 启用 lists it
    const again = sheetDocument('设备编号,类型,户编号\nstb-disabled-0001,settop,hh-150824-104-0009\n', store);
    expect(again.ok && again.sheet === 'devices' && again.devices[0]?.enabled).toBe(false);
    const bad = sheetDocument(
      '设备编号,类型,户编号,启用\nstb-1,冰箱,hh-150824-104-0009,也许\nstb-2,settop,,\n',
      store,
    );
    expect(bad.ok ? [] : bad.errors.map((e) => `${e.line} ${e.field ?? ''} ${e.reason}`)).toEqual([
      '2 enabled must be 是/否 (yes/no), got "也许"',
      '3 household a device belongs to exactly one household or one patrol team',
    ]);
  });

  it('keeps a household’s pasture polygon when a sheet (which has no column for it) is re-imported', async () => {
    const before = store.getHousehold('hh-150824-104-0007');
    expect(before?.pasture).toBeDefined();
    const csv = toCsv(headerRow('households'), [
      [
        'hh-150824-104-0007',
        GRID,
        '其其格',
        '15247801234',
        'mn',
        42.1213,
        108.4382,
        '其其格:15247801234',
        '搬到冬营地',
      ],
    ]);
    const r = await importText(store, csv, { type: 'csv' });
    expect(r.ok).toBe(true);
    const after = store.getHousehold('hh-150824-104-0007');
    expect(after?.pasture).toEqual(before?.pasture);
    expect(after?.notes).toBe('搬到冬营地');
  });

  // ---- properties ----
  const text = (chars: string, min: number, max: number) =>
    fc
      .string({ unit: fc.constantFrom(...chars), minLength: min, maxLength: max })
      .map((s) => s.trim())
      .filter((s) => s.length >= min);
  const NAME = '其其格巴特尔乌云萨仁额尔敦王秀兰刘志强那日苏 ""\'·ᠪᠠᠶᠠᠨ';
  const NOTE = '冬季草场在北山，高血压"独居"老人\n需定期探访, ';
  const phoneArb = fc.stringMatching(/^1[3-9]\d{9}$/);
  const householdArb: fc.Arbitrary<Household> = fc.record(
    {
      id: fc.integer({ min: 1, max: 9999 }).map((n) => `hh-150824-104-${String(n).padStart(4, '0')}`),
      grid: fc.constantFrom(GRID, '150824-104-007-01'),
      name: text(NAME, 1, 12),
      phone: fc.option(phoneArb, { nil: undefined }),
      lang: fc.constantFrom('zh' as const, 'mn' as const),
      location: fc.record({
        lat: fc.double({ min: 41.5, max: 42.5, noNaN: true }).map((v) => Math.round(v * 1e5) / 1e5),
        lon: fc.double({ min: 106.5, max: 109, noNaN: true }).map((v) => Math.round(v * 1e5) / 1e5),
      }),
      members: fc.array(
        fc.record(
          {
            name: text('其格巴特尔乌云苏和图雅', 1, 4),
            phone: fc.option(phoneArb, { nil: undefined }),
            note: fc.option(text('高血压78岁放牧在外', 1, 8), { nil: undefined }),
          },
          { requiredKeys: ['name'] },
        ),
        { maxLength: 4 },
      ),
      notes: fc.option(text(NOTE, 1, 30), { nil: undefined }),
    },
    { requiredKeys: ['id', 'grid', 'name', 'lang', 'location', 'members'] },
  );
  const households = fc.uniqueArray(householdArb, { minLength: 1, maxLength: 12, selector: (h) => h.id });
  const row = (h: Household) => [
    h.id,
    h.grid,
    h.name,
    h.phone,
    h.lang,
    h.location.lat,
    h.location.lon,
    membersCell(h.members),
    h.notes,
  ];
  const clean = (o: object) => JSON.parse(JSON.stringify(o));

  it('round-trips any households sheet it writes', () => {
    fc.assert(
      fc.property(households, (hs) => {
        const r = sheetDocument(toCsv(headerRow('households'), hs.map(row)), store, 'households');
        if (!r.ok || r.sheet !== 'households') throw new Error(JSON.stringify(r));
        expect(clean(r.households.map(({ pasture: _, ...h }) => h))).toEqual(clean(hs));
      }),
      { numRuns: 60 },
    );
  });

  it('names exactly the broken row, by the line it starts on, whatever comes before it', async () => {
    await fc.assert(
      fc.asyncProperty(
        households,
        fc.nat(),
        fc.constantFrom('lat', 'lon', 'grid', 'name'),
        async (hs, k, field) => {
          const bad = k % hs.length;
          const rows = hs.map(row);
          const cell = { lat: 5, lon: 6, grid: 1, name: 2 }[field];
          rows[bad]![cell] = field === 'grid' ? '150824' : field === 'name' ? '' : '北纬';
          const csv = toCsv(headerRow('households'), rows);
          const r = await importText(store, csv, { type: 'csv', sheet: 'households' }); // schema and store checks
          expect(r.ok).toBe(false);
          if (r.ok) return;
          // the line: 1 header + the physical lines of the rows before it
          const before = toCsv(headerRow('households'), rows.slice(0, bad)).match(/\n/g)?.length ?? 0;
          expect(new Set(r.errors.map((e) => e.line))).toEqual(new Set([before + 1]));
          expect(new Set(r.errors.map((e) => e.id))).toEqual(new Set([hs[bad]!.id]));
        },
      ),
      { numRuns: 60 },
    );
  });
});
