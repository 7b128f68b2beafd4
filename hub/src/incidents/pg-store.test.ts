import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postgresForFile } from '../../../tests/support/postgres.ts';
import { migrate, openDatabase } from '../state/db.ts';
import { openPgState, type PgState, pgMigrate } from '../state/pg-db.ts';
import { freshCore, newIncident } from './decide.ts';
import { incidentMigrations } from './migrations.ts';
import { incidentPgMigrations } from './pg-migrations.ts';
import { PgIncidentStore } from './pg-store.ts';
import { SqliteIncidentStore } from './sqlite-store.ts';
import type { Incident } from './store.ts';
import { incidentStoreContract } from './store-contract.ts';
import { type Commit, type IncidentStore, StoreConflict } from './store-port.ts';

// One PostgreSQL server for this file, a fresh schema with the migrations applied for every case.
const pg = postgresForFile();

async function freshState(): Promise<PgState> {
  const { config } = await pg.schema();
  const state = openPgState({ connection: config });
  await pgMigrate(state.db, 'incidents', incidentPgMigrations);
  return state;
}

incidentStoreContract('PostgreSQL (Debian postgresql, the PostgreSQL migrations)', async () => {
  const state = await freshState();
  return { store: new PgIncidentStore(state.db), close: () => state.close() };
});

describe('PostgreSQL incident store across hubs', () => {
  const T0 = Date.UTC(2026, 11, 7, 3, 0);

  it('applies its migrations once however many hubs start at once', async () => {
    const { config } = await pg.schema();
    const hubs = [0, 1, 2].map(() => openPgState({ connection: config }));
    try {
      await Promise.all(hubs.map((h) => pgMigrate(h.db, 'incidents', incidentPgMigrations)));
      await pgMigrate(hubs[0]!.db, 'incidents', incidentPgMigrations);
      const applied = await hubs[1]!.db
        .selectFrom('schema_migrations')
        .select(['module', 'version'])
        .execute();
      expect(applied).toEqual(incidentPgMigrations.map((_, i) => ({ module: 'incidents', version: i + 1 })));
    } finally {
      await Promise.all(hubs.map((h) => h.close()));
    }
  });

  it('claims each due escalation step once when two hubs, each with its own pool, race for it', async () => {
    const { config } = await pg.schema();
    const a = openPgState({ connection: config });
    const b = openPgState({ connection: config });
    try {
      await pgMigrate(a.db, 'incidents', incidentPgMigrations);
      const hubs = [new PgIncidentStore(a.db), new PgIncidentStore(b.db)];
      const ids: string[] = [];
      for (let n = 0; n < 12; n++) {
        const id = `inc-race-${n}`;
        ids.push(id);
        const core = freshCore({
          ...newIncident(
            {
              type: 'raise',
              input: {
                source: 'sos',
                category: 'medical',
                severity: 'critical',
                unitId: 'grid-152523-101-02',
                key: `sos:hh-152523-101-${n}`,
                householdId: `hh-152523-101-${n}`,
                deviceId: `stb-152523-101-${n}`,
                at: T0,
                summary: { zh: '急病求救', mn: 'ᠡᠮᠴᠢ ᠬᠡᠷᠡᠭᠲᠡᠢ', en: 'Medical SOS' },
              },
              newId: id,
              receivedAt: T0,
              chain: [{ unit: 'grid-152523-101-02', role: 'grid-worker' }],
            },
            T0,
          ),
          nextAt: T0 + 60_000,
          nextAction: 'escalate',
        });
        await hubs[0]!.commit({
          at: T0,
          incident: core.inc,
          insert: true,
          lines: [],
          pages: [],
          deliveries: [],
          messages: [],
        });
      }
      // both hubs see the same due list; each runs every step it sees, at the same time
      const now = T0 + 120_000;
      const [dueA, dueB] = await Promise.all(hubs.map((h) => h.due(now, 50)));
      expect(new Set(dueA)).toEqual(new Set(ids));
      expect(new Set(dueB)).toEqual(new Set(ids));
      const step = async (hub: PgIncidentStore, id: string) => {
        const s = (await hub.byId(id))!;
        const next = { ...s.inc, level: 1, levelAt: now, nextAt: now + 300_000, updatedAt: now };
        await hub.commit({
          at: now,
          incident: next,
          insert: false,
          lines: [{ event: 'escalated', state: 'open', level: 1 }],
          pages: [{ level: 1, reminder: 0, kind: 'alert', ackBy: now + 300_000, people: ['p-wang'] }],
          deliveries: [
            {
              key: `page:${id}:1:0:alert:p-wang:mqtt`,
              channel: 'mqtt',
              payload: '{}',
              incidentId: id,
              level: 1,
              reminder: 0,
              kind: 'alert',
              person: 'p-wang',
              device: null,
              status: 'pending',
              attempts: 0,
              nextTryAt: now,
              wireId: null,
              afterKey: null,
              deliveredAt: null,
            },
          ],
          messages: [],
        });
      };
      const results = await Promise.allSettled(ids.flatMap((id) => [step(hubs[0]!, id), step(hubs[1]!, id)]));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(ids.length);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StoreConflict);
      }
      for (const id of ids) {
        const s = (await hubs[1]!.byId(id))!;
        expect(s.inc.version).toBe(1);
        expect(s.facts.pages).toEqual([{ level: 1, reminder: 0, kind: 'alert', people: ['p-wang'] }]);
        expect((await hubs[0]!.timeline(id)).map((e) => e.type)).toEqual(['escalated']);
      }
      const rows = await a.db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(rows.n).toBe(ids.length);
      expect(await hubs[0]!.due(now, 50)).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('turns a second hub inserting the open incident of the same key into a conflict, not an error', async () => {
    const state = await freshState();
    try {
      const [h1, h2] = [new PgIncidentStore(state.db), new PgIncidentStore(state.db)];
      const raise = (id: string) =>
        newIncident(
          {
            type: 'raise',
            input: {
              source: 'sos',
              category: 'blizzard',
              severity: 'critical',
              unitId: 'grid-150824-104-01',
              key: 'sos:hh-150824-104-0007',
              householdId: 'hh-150824-104-0007',
              deviceId: 'stb-150824-104-0007',
              at: T0,
              summary: { zh: '暴风雪求救', mn: 'ᠴᠠᠰᠤᠨ ᠱᠤᠷᠠᠭᠠᠨ', en: 'Blizzard SOS' },
            },
            newId: id,
            receivedAt: T0,
            chain: [],
          },
          T0,
        );
      const insert = (store: PgIncidentStore, id: string) =>
        store.commit({
          at: T0,
          incident: raise(id),
          insert: true,
          lines: [{ event: 'open', state: 'open' }],
          pages: [],
          deliveries: [],
          messages: [{ source: 'sos', id: 'sos-msg-7' }],
        });
      const results = await Promise.allSettled([insert(h1, 'inc-h1'), insert(h2, 'inc-h2')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(StoreConflict);
      const open = (await h1.forKey('sos:hh-150824-104-0007', false))!;
      expect(await h2.messageIncident('sos', 'sos-msg-7')).toBe(open.inc.id);
      expect(await h2.timeline(open.inc.id)).toHaveLength(1);
    } finally {
      await state.close();
    }
  });
});

describe('PostgreSQL and SQLite incident stores read back the same', () => {
  // Any text (controls, U+0000, astral), any ms time up to year 6000, any finite double, nulls:
  // the same commits on both adapters, then every read compared (type mapping, JSON, order).
  const text = fc.string({ unit: 'binary', maxLength: 12 });
  const ms = fc.integer({ min: 0, max: 2 ** 47 });
  const num = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
  const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
  // id and key are given fresh in each run (a shrunk run must not meet the rows of the last one)
  const incidentArb = fc.record({
    id: fc.constant(''),
    key: fc.constant(''),
    source: fc.constantFrom('sos', 'rule', 'manual') as fc.Arbitrary<Incident['source']>,
    category: text,
    severity: fc.constantFrom('info', 'warning', 'critical') as fc.Arbitrary<Incident['severity']>,
    state: fc.constantFrom('open', 'notified', 'acknowledged', 'dispatched') as fc.Arbitrary<
      Incident['state']
    >,
    unit: text,
    household: nullable(text),
    device: nullable(fc.constantFrom('stb-1', 'stb-2')),
    reporter: nullable(text),
    sosId: nullable(text),
    presses: fc.integer({ min: 1, max: 1_000 }),
    lastPressAt: nullable(ms),
    sourceTs: ms,
    openedAt: ms,
    lateMs: ms,
    summary: fc.record({ zh: text, mn: text, en: text }),
    details: nullable(fc.dictionary(text, fc.oneof(text, num, fc.boolean(), fc.constant(null)))),
    pos: nullable(fc.record({ lat: num, lon: num, acc: num, t: ms }, { requiredKeys: ['lat', 'lon', 't'] })),
    chain: fc.array(fc.record({ unit: text, role: fc.constant('grid-worker') as fc.Arbitrary<never> })),
    alsoNotify: fc.array(text, { maxLength: 3 }),
    level: fc.integer({ min: -1, max: 6 }),
    levelAt: nullable(ms),
    reminder: fc.integer({ min: 0, max: 9 }),
    nextAt: nullable(ms),
    nextAction: nullable(fc.constantFrom('remind', 'escalate')) as fc.Arbitrary<Incident['nextAction']>,
    escalations: fc.nat(20),
    topReminders: fc.nat(20),
    ackBy: nullable(text),
    ackAt: nullable(ms),
    dispatchedAt: nullable(ms),
    rescue: nullable(text),
    closedAt: fc.constant(null),
    updatedAt: ms,
    policy: fc.option(
      fc.record({
        ackTimeoutMs: fc.array(fc.integer({ min: 30_000, max: 86_400_000 }), { minLength: 1, maxLength: 5 }),
        reminderEveryMs: fc.integer({ min: 0, max: 3_600_000 }),
        topReminderEveryMs: fc.integer({ min: 60_000, max: 86_400_000 }),
        topReminders: fc.integer({ min: 0, max: 20 }),
        dispatchTimeoutMs: nullable(fc.integer({ min: 60_000, max: 86_400_000 })),
        source: text,
      }),
      { nil: null },
    ),
    drill: fc.boolean(),
    version: fc.constant(0),
  });
  const extrasArb = fc.record({
    lines: fc.array(
      fc.record(
        {
          event: fc.constantFrom('open', 'note', 'declined', 'unreachable', 'pressed-again'),
          state: fc.constantFrom('open', 'notified') as fc.Arbitrary<Incident['state']>,
          actor: fc.record({ id: text, name: text, role: text }, { requiredKeys: ['id', 'name'] }),
          level: fc.integer({ min: -1, max: 6 }),
          note: text,
          data: fc.dictionary(text, fc.oneof(text, ms)),
        },
        { requiredKeys: ['event', 'state'] },
      ),
      { maxLength: 4 },
    ),
    positions: fc.uniqueArray(fc.record({ t: ms, lat: num, lon: num }), {
      selector: (p) => p.t,
      maxLength: 5,
    }),
    keepPositions: fc.integer({ min: 1, max: 6 }),
    pages: fc.uniqueArray(
      fc.record({
        level: fc.integer({ min: 0, max: 3 }),
        reminder: fc.integer({ min: 0, max: 2 }),
        kind: fc.constantFrom('alert', 'closing') as fc.Arbitrary<'alert' | 'closing'>,
        ackBy: nullable(ms),
        people: fc.array(text, { maxLength: 3 }),
      }),
      // an alert and a closing page of one step may share a commit: the pages query's total order
      // gives them back alike (this test found SQLite in key order, PostgreSQL in insertion order)
      { selector: (p) => `${p.level}/${p.reminder}/${p.kind}`, maxLength: 3 },
    ),
    save: fc.option(fc.record({ nextAt: nullable(ms), note: text, closedAt: nullable(ms) }), {
      nil: undefined,
    }),
  });

  it('for any incidents, timelines, positions and page steps', async () => {
    const state = await freshState();
    const sqlite = openDatabase(':memory:');
    migrate(sqlite, 'incidents', incidentMigrations);
    const stores: IncidentStore[] = [new SqliteIncidentStore(sqlite), new PgIncidentStore(state.db)];
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(incidentArb, extrasArb), { minLength: 1, maxLength: 3 }),
          ms,
          async (generated, now) => {
            const batch = generated.map(
              ([i, x]) => [{ ...i, id: `inc-${++n}`, key: `key-${n}` }, x] as const,
            );
            for (const [inc, x] of batch) {
              const first: Commit = {
                at: inc.openedAt,
                incident: inc,
                insert: true,
                lines: x.lines,
                pages: x.pages,
                deliveries: [],
                messages: [{ source: 'sos', id: inc.id }],
                positions: x.positions,
                keepPositions: x.keepPositions,
              };
              for (const s of stores) await s.commit(first);
              if (x.save) {
                const saved = { ...inc, nextAt: x.save.nextAt, closedAt: x.save.closedAt };
                const c: Commit = {
                  ...first,
                  incident: saved,
                  insert: false,
                  pages: [],
                  messages: [],
                  lines: [],
                };
                for (const s of stores)
                  await s.commit({ ...c, lines: [{ event: 'note', state: 'open', note: x.save.note }] });
              }
            }
            for (const [inc] of batch) {
              const [a, b] = await Promise.all(
                stores.map(async (s) => ({
                  stored: await s.byId(inc.id),
                  timeline: await s.timeline(inc.id),
                  positions: await s.positions(inc.id),
                  paged: await s.paged(inc.id),
                  forKey: (await s.forKey(inc.key, true))?.inc.id,
                  message: await s.messageIncident('sos', inc.id),
                })),
              );
              // timeline ids are each engine's own sequence; everything else must match
              const strip = (r: typeof a) => ({ ...r, timeline: r!.timeline.map(({ id: _, ...e }) => e) });
              expect(strip(b)).toEqual(strip(a));
              expect(a!.stored?.inc.summary).toEqual(inc.summary);
            }
            const [dueA, dueB] = await Promise.all(stores.map((s) => s.due(now, 1_000)));
            expect(new Set(dueB)).toEqual(new Set(dueA));
            const [nextA, nextB] = await Promise.all(stores.map((s) => s.nextDue()));
            expect(nextB).toBe(nextA);
            for (const d of ['stb-1', 'stb-2']) {
              const [oa, ob] = await Promise.all(stores.map((s) => s.openOfDevice(d)));
              expect(new Set(ob)).toEqual(new Set(oa));
            }
          },
        ),
        { numRuns: 20 },
      );
    } finally {
      sqlite.close();
      await state.close();
    }
  });
});
