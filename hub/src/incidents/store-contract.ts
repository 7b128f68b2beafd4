import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshCore, newIncident } from './decide.ts';
import type { Incident } from './store.ts';
import {
  type Commit,
  type DeliveryInsert,
  type IncidentStore,
  StoreConflict,
  type TimelineLine,
} from './store-port.ts';

/**
 * The contract every incident store adapter passes (SQLite today; PostgreSQL next): reads give
 * back what commits wrote, a commit is all or nothing, a stale version, a page step taken or a
 * message applied before makes it fail with StoreConflict, and due timers are claimed once.
 */
export function incidentStoreContract(
  name: string,
  open: () => Promise<{ store: IncidentStore; close(): Promise<void> }>,
): void {
  describe(`incident store contract: ${name}`, () => {
    let store: IncidentStore;
    let close: () => Promise<void>;
    const T0 = Date.UTC(2026, 11, 7, 2, 0);
    let n = 0;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    const incident = (o: Partial<Incident> = {}): Incident => ({
      ...newIncident(
        {
          type: 'raise',
          input: {
            source: 'sos',
            category: 'blizzard',
            severity: 'critical',
            unitId: 'grid-150824-104-01',
            key: `sos:hh-150824-104-${String(++n).padStart(4, '0')}`,
            householdId: `hh-150824-104-${String(n).padStart(4, '0')}`,
            deviceId: `stb-150824-104-${String(n).padStart(4, '0')}`,
            at: T0 - 5_000,
            summary: { zh: '暴风雪求救', mn: 'ᠴᠠᠰᠤᠨ ᠱᠤᠷᠠᠭᠠᠨ', en: 'Blizzard SOS' },
          },
          newId: `inc-${String(n).padStart(4, '0')}`,
          receivedAt: T0,
          chain: [{ unit: 'grid-150824-104-01', role: 'grid-worker' }],
        },
        T0,
      ),
      ...o,
    });
    const line = (event: string, o: Partial<TimelineLine> = {}): TimelineLine => ({
      event,
      state: 'open',
      ...o,
    });
    const delivery = (key: string, incidentId: string, o: Partial<DeliveryInsert> = {}): DeliveryInsert => ({
      key,
      channel: 'mqtt',
      payload: JSON.stringify({ topic: 'sl/v1/worker/p-bater/alert' }),
      incidentId,
      level: 0,
      reminder: 0,
      kind: 'alert',
      person: 'p-bater',
      device: null,
      status: 'pending',
      attempts: 0,
      nextTryAt: T0,
      wireId: null,
      afterKey: null,
      deliveredAt: null,
      ...o,
    });
    const commit = (inc: Incident, o: Partial<Commit> = {}): Commit => ({
      at: T0,
      incident: inc,
      insert: false,
      lines: [],
      pages: [],
      deliveries: [],
      messages: [],
      ...o,
    });

    it('gives back the incident a commit inserted, with its facts', async () => {
      const inc = incident({ nextAt: T0 + 60_000, nextAction: 'remind' });
      await store.commit(
        commit(inc, {
          insert: true,
          lines: [line('open'), line('paged', { level: 0, data: { people: ['p-bater'] } })],
          pages: [{ level: 0, reminder: 0, kind: 'alert', ackBy: T0 + 180_000, people: ['p-bater'] }],
          deliveries: [
            delivery(`page:${inc.id}:0:0:alert:p-bater:mqtt`, inc.id),
            delivery(`sos-ack:ack-${inc.id}-1`, inc.id, {
              channel: 'device',
              device: inc.device,
              kind: 'sos-ack',
            }),
          ],
        }),
      );
      const got = await store.byId(inc.id);
      expect(got?.inc).toEqual(inc);
      expect(got?.facts.pages).toEqual([{ level: 0, reminder: 0, kind: 'alert', people: ['p-bater'] }]);
      expect(got?.facts.pressSpan).toEqual({ minTs: inc.sourceTs, maxTs: inc.sourceTs });
      expect(got?.acks).toBe(1);
      expect(await store.paged(inc.id)).toEqual(['p-bater']);
      expect(await store.paged(inc.id, 1)).toEqual([]);
      const tl = await store.timeline(inc.id);
      expect(tl.map((e) => [e.type, e.level, e.data])).toEqual([
        ['open', null, null],
        ['paged', 0, { people: ['p-bater'] }],
      ]);
      expect(await store.byId('inc-nope')).toBeUndefined();
    });

    it('finds the open incident of a key, else (when asked) its last closed one', async () => {
      const a = incident();
      await store.commit(commit(a, { insert: true }));
      expect((await store.forKey(a.key, false))?.inc.id).toBe(a.id);
      await store.commit(commit({ ...a, state: 'resolved', closedAt: T0 + 1_000 }));
      expect(await store.forKey(a.key, false)).toBeUndefined();
      const b = incident({ key: a.key, id: `${a.id}-b`, state: 'cancelled', closedAt: T0 + 5_000 });
      await store.commit(commit(b, { insert: true }));
      expect((await store.forKey(a.key, true))?.inc.id).toBe(b.id);
    });

    it('refuses a save on a stale version, and writes nothing of that commit', async () => {
      const inc = incident();
      await store.commit(commit(inc, { insert: true }));
      const read = (await store.byId(inc.id))!.inc;
      await store.commit(commit({ ...read, state: 'notified' }, { lines: [line('notified')] }));
      const stale = commit(
        { ...read, state: 'acknowledged' },
        {
          lines: [line('acknowledged')],
          deliveries: [delivery('stale-row', inc.id)],
          messages: [{ source: 'worker-ack', id: 'wack-1' }],
        },
      );
      await expect(store.commit(stale)).rejects.toBeInstanceOf(StoreConflict);
      const now = await store.byId(inc.id);
      expect(now?.inc.state).toBe('notified');
      expect(now?.inc.version).toBe(read.version + 1);
      expect((await store.timeline(inc.id)).map((e) => e.type)).toEqual(['notified']);
      expect(await store.messageIncident('worker-ack', 'wack-1')).toBeUndefined();
    });

    it('applies a message once and takes a page step once', async () => {
      const inc = incident();
      const page = { level: 0, reminder: 0, kind: 'alert' as const, ackBy: T0, people: ['p-bater'] };
      await store.commit(
        commit(inc, { insert: true, messages: [{ source: 'sos', id: 'm-1' }], pages: [page] }),
      );
      expect(await store.messageIncident('sos', 'm-1')).toBe(inc.id);
      expect(await store.messageIncident('sos', 'm-2')).toBeUndefined();
      let cur = (await store.byId(inc.id))!.inc;
      await expect(
        store.commit(commit(cur, { messages: [{ source: 'sos', id: 'm-1' }] })),
      ).rejects.toBeInstanceOf(StoreConflict);
      cur = (await store.byId(inc.id))!.inc;
      await expect(store.commit(commit(cur, { pages: [page] }))).rejects.toBeInstanceOf(StoreConflict);
      expect((await store.byId(inc.id))!.inc.version).toBe(cur.version); // both rolled back
    });

    it('inserts an outbox row once per key and says which rows it inserted', async () => {
      const inc = incident();
      const first = await store.commit(commit(inc, { insert: true, deliveries: [delivery('k-1', inc.id)] }));
      expect(first.deliveries.map((d) => d.key)).toEqual(['k-1']);
      const cur = (await store.byId(inc.id))!.inc;
      const again = await store.commit(
        commit(cur, { deliveries: [delivery('k-1', inc.id), delivery('k-2', inc.id)] }),
      );
      expect(again.deliveries.map((d) => d.key)).toEqual(['k-2']);
      expect(again.deliveries[0]!.id).toBeGreaterThan(first.deliveries[0]!.id);
    });

    it('reads the facts the core needs from the timeline: declines, unreachable levels, press times', async () => {
      const inc = incident();
      await store.commit(
        commit(inc, {
          insert: true,
          lines: [
            line('declined', { level: 0, actor: { id: 'p-bater', name: '巴特尔' } }),
            line('unreachable', { level: 0 }),
            line('pressed-again', { data: { presses: 2, ts: inc.sourceTs - 60_000 } }),
            line('pressed-again', { data: { presses: 3, ts: inc.sourceTs + 30_000 } }),
          ],
        }),
      );
      const f = (await store.byId(inc.id))!.facts;
      expect(f.declined).toEqual([{ level: 0, person: 'p-bater' }]);
      expect(f.unreachable).toEqual([0]);
      expect(f.pressSpan).toEqual({ minTs: inc.sourceTs - 60_000, maxTs: inc.sourceTs + 30_000 });
    });

    it('keeps timers as data: due ones earliest first, the next one, a retry moved; a due step is claimed once', async () => {
      const a = incident({ nextAt: T0 + 3 * 60_000, nextAction: 'escalate' });
      const b = incident({ nextAt: T0 + 60_000, nextAction: 'remind' });
      const c = incident();
      for (const i of [a, b, c]) await store.commit(commit(i, { insert: true }));
      expect(await store.nextDue()).toBe(T0 + 60_000);
      expect(await store.due(T0, 10)).toEqual([]);
      expect(await store.due(T0 + 5 * 60_000, 10)).toEqual([b.id, a.id]);
      expect(await store.due(T0 + 5 * 60_000, 1)).toEqual([b.id]);
      await store.retryAt(b.id, T0 + 10 * 60_000);
      expect(await store.due(T0 + 5 * 60_000, 10)).toEqual([a.id]);
      // two runners read the same due incident; both decide the step; one commit wins
      const r1 = (await store.byId(a.id))!.inc;
      const r2 = (await store.byId(a.id))!.inc;
      const step = {
        level: 1,
        reminder: 0,
        kind: 'alert' as const,
        ackBy: T0 + 6 * 60_000,
        people: ['p-wang'],
      };
      const results = await Promise.allSettled([
        store.commit(commit({ ...r1, level: 1, nextAt: T0 + 6 * 60_000 }, { pages: [step] })),
        store.commit(commit({ ...r2, level: 1, nextAt: T0 + 6 * 60_000 }, { pages: [step] })),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(StoreConflict);
      expect((await store.byId(a.id))!.facts.pages).toHaveLength(1);
      await store.commit(commit({ ...(await store.byId(a.id))!.inc, nextAt: null, nextAction: null }));
      expect(await store.nextDue()).toBe(T0 + 10 * 60_000);
    });

    it('keeps any text it is given: U+0000 and other controls, U+FFFF, astral and Mongolian script', async () => {
      const odd = `a\u0000b\uffff0\u0001 ᠮᠣᠩᠭᠣᠯ 🐎 \uffff1\u0000`;
      const inc = incident({ category: odd, reporter: odd });
      await store.commit(
        commit(inc, {
          insert: true,
          lines: [line('note', { note: odd, actor: { id: 'p-oyun', name: odd } })],
          messages: [{ source: 'api', id: odd }],
        }),
      );
      const got = (await store.byId(inc.id))!.inc;
      expect([got.category, got.reporter]).toEqual([odd, odd]);
      const [tl] = await store.timeline(inc.id);
      expect([tl?.note, tl?.actorName]).toEqual([odd, odd]);
      expect(await store.messageIncident('api', odd)).toBe(inc.id);
      expect(await store.messageIncident('api', 'a')).toBeUndefined();
    });

    it('round-trips every field of an incident, nulls and JSON included', async () => {
      const core = freshCore(
        incident({
          pos: { lat: 41.5702, lon: 108.6523, acc: 12, t: T0 - 5_000 },
          details: { note: '羊圈倒塌', power: { battery: 0.41 } },
          alsoNotify: ['sumu-150824-104'],
          reporter: 'p-oyun',
          ackBy: 'p-bater',
          ackAt: T0 + 1,
          rescue: 'helicopter',
        }),
      );
      await store.commit(commit(core.inc, { insert: true }));
      expect((await store.byId(core.inc.id))?.inc).toEqual(core.inc);
    });
  });
}
