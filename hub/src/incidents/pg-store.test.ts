import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresHandle, startPostgres } from '../../../tests/support/postgres.ts';
import { openPgState, type PgState, pgMigrate } from '../state/pg-db.ts';
import { freshCore, newIncident } from './decide.ts';
import { incidentPgMigrations } from './pg-migrations.ts';
import { PgIncidentStore } from './pg-store.ts';
import { incidentStoreContract } from './store-contract.ts';
import { StoreConflict } from './store-port.ts';

// One PostgreSQL server for this file (Debian's postgresql, a temp data dir, a free port), one
// database, and a fresh schema with the migrations applied for every case.
let server: PostgresHandle;
let database: string;
beforeAll(async () => {
  server = await startPostgres();
  database = await server.createDatabase();
});
afterAll(async () => {
  await server?.stop();
});

async function freshState(): Promise<PgState> {
  const { config } = await server.createSchema(database);
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
    const { config } = await server.createSchema(database);
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
    const { config } = await server.createSchema(database);
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
