import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0, type TestContext, testContext } from '../incidents/testing.ts';
import { openSqliteRegistry } from '../registry/sqlite-store.ts';
import { openDatabase } from '../state/db.ts';
import { RosterStore } from './roster-store.ts';

const GRID = '150824-104-007-03';
const rotation = (members: string[]) => ({
  unit: GRID,
  role: 'grid-worker' as const,
  period: 'daily' as const,
  handover: '08:00',
  startDate: '2025-11-24',
  members,
  perShift: 1,
});

describe('RosterStore', () => {
  let tc: TestContext;
  let store: RosterStore;
  beforeEach(() => {
    tc = testContext();
    store = new RosterStore(tc.db, tc.ctx.registry);
  });
  afterEach(() => tc.close());

  it('answers from the registry when a unit has no rotation, and from the rotation when it has one', () => {
    expect(store.onDuty(GRID, 'grid-worker', T0).people).toEqual(['p-bater']);
    expect(
      store.import(
        { timeZone: 'Asia/Shanghai', rotations: [rotation(['p-bater', 'p-aodeng'])], overrides: [] },
        T0,
      ),
    ).toEqual({ ok: true });
    expect(store.onDuty(GRID, 'grid-worker', T0).people).toEqual(['p-aodeng']);
    expect(store.onDuty(GRID, 'grid-worker', T0 - 1).people).toEqual(['p-bater']);
  });

  it('reports every bad row and writes nothing', () => {
    const r = store.import(
      {
        timeZone: 'Asia/Shanghai',
        rotations: [rotation(['p-bater', 'p-nobody']), { ...rotation(['p-bater']), unit: '150824-999' }],
        overrides: [
          {
            kind: 'leave',
            unit: GRID,
            role: 'grid-worker',
            person: 'p-bater',
            from: '2025-12-03',
            to: '2025-12-01',
          },
        ],
      },
      T0,
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => e.reason)).toEqual([
      'unknown person p-nobody',
      'unknown unit 150824-999',
      'must be after from',
    ]);
    expect(store.export(new Set([GRID])).rotations).toEqual([]);
  });

  it('round-trips rotations and overrides through export, dates meaning whole local days', () => {
    const doc = {
      timeZone: 'Asia/Shanghai',
      rotations: [{ ...rotation(['p-bater', 'p-aodeng']), timeZone: 'Asia/Shanghai' }],
      overrides: [
        {
          id: 'leave-bater-dec',
          kind: 'leave' as const,
          unit: GRID,
          role: 'grid-worker' as const,
          person: 'p-bater',
          from: '2025-12-02',
          to: '2025-12-02',
          note: '旗里培训',
        },
      ],
    };
    expect(store.import(doc, T0).ok).toBe(true);
    expect(store.export(new Set([GRID]))).toEqual(doc);
    // 2025-12-02 is 巴特尔's day (even shift index); on leave for that whole local day, nobody covers.
    const noon = Date.parse('2025-12-02T12:00:00+08:00');
    expect(store.onDuty(GRID, 'grid-worker', noon)).toMatchObject({
      people: [],
      reason: 'on leave with no cover: p-bater',
    });
    expect(store.onDuty(GRID, 'grid-worker', Date.parse('2025-12-03T00:00:00+08:00')).people).toEqual([
      'p-bater',
    ]);
  });

  it('sees rosters another connection (the CLI) wrote while the hub runs', async () => {
    expect(store.onDuty(GRID, 'grid-worker', T0).people).toEqual(['p-bater']);
    const cli = openDatabase(join(tc.dir, 'state.db'));
    new RosterStore(cli, openSqliteRegistry(cli)).import(
      { timeZone: 'Asia/Shanghai', rotations: [rotation(['p-aodeng'])], overrides: [] },
      T0,
    );
    cli.close();
    await Promise.resolve(); // another process's commit is seen from the next turn
    expect(store.onDuty(GRID, 'grid-worker', T0).people).toEqual(['p-aodeng']);
  });
});
