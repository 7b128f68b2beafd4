import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryInsert } from '../incidents/store-port.ts';
import type { DeliveryStore } from './delivery-store.ts';

/**
 * The contract every delivery store adapter passes (SQLite today; PostgreSQL next): an outbox
 * row is inserted once per key; what is due comes back by time, a box's sos-acks strictly one at
 * a time in order; outcomes are recorded in one go and never undo a PUBACK's `delivered`; a
 * PUBACK marks its row and makes a held SMS fallback unnecessary; a fallback is released when
 * the app page can't reach anyone; finished rows can be sent again.
 */
export function deliveryStoreContract(
  name: string,
  open: () => Promise<{ store: DeliveryStore; close(): Promise<void> }>,
): void {
  describe(`delivery store contract: ${name}`, () => {
    let store: DeliveryStore;
    let close: () => Promise<void>;
    const T0 = Date.UTC(2026, 11, 7, 2, 0);
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    const row = (key: string, o: Partial<DeliveryInsert> = {}): DeliveryInsert => ({
      key,
      channel: 'mqtt',
      payload: JSON.stringify({ topic: 'sl/v1/worker/p-bater/alert', text: '暴风雪求救' }),
      incidentId: 'inc-0001',
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
    const ack = (key: string, nextTryAt = T0) =>
      row(key, {
        channel: 'device',
        kind: 'sos-ack',
        person: null,
        device: 'stb-150824-104-0007',
        payload: JSON.stringify({ topic: 'sl/v1/stb-150824-104-0007/down/sos-ack' }),
        nextTryAt,
      });
    const idOf = async (key: string) => (await store.due(T0 + 3_600_000, 100)).find((r) => r.key === key)?.id;

    it('inserts a row once per key, and says which it inserted', async () => {
      const first = await store.insert([row('k-1'), row('k-2')], T0);
      expect(first.map((r) => r.key)).toEqual(['k-1', 'k-2']);
      const again = await store.insert([row('k-2'), row('k-3')], T0);
      expect(again.map((r) => r.key)).toEqual(['k-3']);
      expect(again[0]!.id).toBeGreaterThan(first[1]!.id);
      expect(await store.backlog()).toBe(3);
      expect(await store.statusOf('k-1')).toBe('pending');
      expect(await store.statusOf('k-nope')).toBeUndefined();
    });

    it('answers what is due by time, and a box’s sos-acks one at a time, oldest first', async () => {
      await store.insert(
        [
          row('page-now'),
          row('page-later', { nextTryAt: T0 + 60_000 }),
          ack('ack-1'),
          ack('ack-2'),
          ack('ack-3', T0 + 5_000),
        ],
        T0,
      );
      const due = await store.due(T0, 10);
      expect(due.map((r) => r.key).sort()).toEqual(['ack-1', 'page-now']);
      const page = due.find((r) => r.key === 'page-now')!;
      expect(page).toMatchObject({ channel: 'mqtt', device: null, attempts: 0, afterKey: null });
      expect(JSON.parse(page.payload)).toEqual({ topic: 'sl/v1/worker/p-bater/alert', text: '暴风雪求救' });
      expect(await store.nextDue(T0)).toBe(T0 + 60_000);
      const ids = await store.openOfDevice('stb-150824-104-0007');
      expect(ids).toHaveLength(3);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(await store.olderOpen('stb-150824-104-0007', ids[0]!)).toBe(false);
      expect(await store.olderOpen('stb-150824-104-0007', ids[1]!)).toBe(true);
      // the first sos-ack is delivered: the second is the box's head now
      await store.record([{ id: ids[0]!, status: 'delivered', next: null, error: null, now: T0 }]);
      expect((await store.due(T0, 10)).map((r) => r.key).sort()).toEqual(['ack-2', 'page-now']);
      expect(await store.due(T0, 1)).toHaveLength(2); // at most `batch` of each kind
    });

    it('records outcomes: retries come due later, attempts count, and a PUBACK’s delivered stays', async () => {
      await store.insert([row('a', { wireId: 'sl/v1/worker/p-bater/alert#m-1' }), row('b')], T0);
      const a = (await idOf('a'))!;
      const b = (await idOf('b'))!;
      expect(await store.markDelivered('sl/v1/worker/p-bater/alert#m-1', T0 + 10)).toEqual([
        { key: 'a', incidentId: 'inc-0001' },
      ]);
      expect(await store.markDelivered('sl/v1/worker/p-bater/alert#m-1', T0 + 20)).toEqual([]); // once
      await store.record([
        { id: a, status: 'queued', next: null, error: null, now: T0 + 30 },
        { id: b, status: 'retry', next: T0 + 5_000, error: 'gateway 503', now: T0 + 30 },
      ]);
      expect(await store.statusOf('a')).toBe('delivered');
      expect(await store.statusOf('b')).toBe('retry');
      expect((await store.due(T0 + 1_000, 10)).map((r) => r.key)).toEqual([]);
      const retried = await store.due(T0 + 5_000, 10);
      expect(retried).toEqual([expect.objectContaining({ key: 'b', attempts: 1 })]);
      expect(await store.backlog()).toBe(1);
    });

    it('a read receipt makes a row read, once; neither a late PUBACK nor a sending outcome undoes it', async () => {
      const msg = { ...ack('msg-1'), kind: 'sos-msg', wireId: 'sl/v1/stb-150824-104-0007/down/sos-msg#m-9' };
      await store.insert([msg, row('b')], T0);
      const id = (await idOf('msg-1'))!;
      expect(await store.markRead('msg-1', T0 + 50)).toEqual([{ key: 'msg-1', incidentId: 'inc-0001' }]);
      expect(await store.markRead('msg-1', T0 + 60)).toEqual([]); // once
      expect(await store.markRead('no-such-row', T0 + 60)).toEqual([]);
      expect(await store.markDelivered('sl/v1/stb-150824-104-0007/down/sos-msg#m-9', T0 + 70)).toEqual([]);
      await store.record([{ id, status: 'queued', next: null, error: null, now: T0 + 80 }]);
      expect(await store.statusOf('msg-1')).toBe('read');
      expect(await store.statusOf('b')).toBe('pending');
      await store.again([id], T0 + 90);
      expect(await store.statusOf('msg-1')).toBe('read'); // never sent again
    });

    it('a PUBACK makes the held SMS fallback unnecessary; a page nobody can get releases it', async () => {
      const sms = (key: string, after: string) =>
        row(key, { channel: 'webhook', status: 'held', nextTryAt: T0 + 120_000, afterKey: after });
      await store.insert(
        [
          row('app-1', { wireId: 'w-1' }),
          sms('sms-1', 'app-1'),
          row('app-2', { wireId: 'w-2' }),
          sms('sms-2', 'app-2'),
        ],
        T0,
      );
      await store.markDelivered('w-1', T0 + 1_000);
      expect(await store.statusOf('sms-1')).toBe('not-needed');
      expect(await store.release('app-2', T0 + 2_000)).toBe(1);
      expect((await store.due(T0 + 2_000, 10)).map((r) => r.key).sort()).toEqual(['app-2', 'sms-2']); // app-1 was delivered
      expect(await store.release('app-1', T0 + 2_000)).toBe(0); // nothing held for it any more
    });

    it('sends finished rows again, but never a delivered one', async () => {
      await store.insert([ack('ack-1'), ack('ack-2')], T0);
      const [one, two] = await store.openOfDevice('stb-150824-104-0007');
      await store.record([
        { id: one!, status: 'no-listener', next: null, error: null, now: T0 },
        { id: two!, status: 'delivered', next: null, error: null, now: T0 },
      ]);
      expect(await store.due(T0 + 1, 10)).toEqual([]);
      await store.again([one!, two!], T0 + 1);
      expect((await store.due(T0 + 1, 10)).map((r) => r.key)).toEqual(['ack-1']);
      expect(await store.statusOf('ack-2')).toBe('delivered');
    });
  });
}
