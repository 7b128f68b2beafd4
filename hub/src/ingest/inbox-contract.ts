import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeadLetterTable } from './dead-letters.ts';
import type { DeadLetterInput, InboxEntry, InboxStore } from './inbox.ts';

/**
 * The contract every inbox store adapter passes (SQLite today; PostgreSQL next): acceptance
 * order and deduplication by sender and message id, a group commit all or nothing, the
 * watermark that only moves up, replay and retention, and the bounded dead-letter table with its
 * counts. `open` is given the dead-letter bound to keep.
 */
export function inboxStoreContract(
  name: string,
  open: (o: { deadLetterKeep?: number }) => Promise<{ store: InboxStore; close(): Promise<void> }>,
): void {
  describe(`inbox store contract: ${name}`, () => {
    const T = 1_764_028_800_000;
    let opened: { store: InboxStore; close(): Promise<void> }[] = [];
    const make = async (o: { deadLetterKeep?: number } = {}) => {
      const s = await open(o);
      opened.push(s);
      return s.store;
    };
    beforeEach(() => {
      opened = [];
    });
    afterEach(async () => {
      for (const s of opened) await s.close();
    });

    const entry = (sender: string, msgId: string, at = T): InboxEntry => ({
      sender,
      msgId,
      kind: 'hb',
      payload: Buffer.from(`{"id":"${msgId}","note":"冬营地"}`),
      receivedAt: at,
      seq: -1,
    });
    const dead = (i: number, deviceId = 'stb-150824-104-0007'): DeadLetterInput => ({
      at: T + i,
      topic: `sl/v1/${deviceId}/hb`,
      deviceId,
      clientId: deviceId,
      reason: i % 2 === 0 ? 'not_json' : 'schema',
      detail: 'payload is not JSON',
      excerpt: `{{{ ${i}`,
    });

    it('gives new messages increasing seq numbers and duplicates seq 0, stored once', async () => {
      const inbox = await make();
      const a = [
        entry('stb-150824-104-0007', '01KAWY2Z3M8Q4T7V9B0C1D2E3F'),
        entry('trk-patrol-150825-03', '01KAWY2Z3M8Q4T7V9B0C1D2E3F'),
      ];
      await inbox.commit(a, []);
      expect(a[0]!.seq).toBeGreaterThan(0);
      expect(a[1]!.seq).toBeGreaterThan(a[0]!.seq); // same id from another device is not a duplicate
      const again = [
        entry('stb-150824-104-0007', '01KAWY2Z3M8Q4T7V9B0C1D2E3F'),
        entry('stb-150824-104-0007', 'x2'),
      ];
      await inbox.commit(again, []);
      expect(again[0]!.seq).toBe(0);
      expect(again[1]!.seq).toBeGreaterThan(a[1]!.seq);
      expect(await inbox.maxSeq()).toBe(again[1]!.seq);
      expect(await inbox.pendingCount(0)).toBe(3);
      const rows = await inbox.unprocessed(0, await inbox.maxSeq(), 10);
      expect(rows.map((r) => [r.sender, r.kind, r.receivedAt])).toEqual([
        ['stb-150824-104-0007', 'hb', T],
        ['trk-patrol-150825-03', 'hb', T],
        ['stb-150824-104-0007', 'hb', T],
      ]);
      expect(Buffer.from(rows[0]!.payload).toString('utf8')).toBe(
        '{"id":"01KAWY2Z3M8Q4T7V9B0C1D2E3F","note":"冬营地"}',
      );
    });

    it('keeps the newest dead letters within the bound, counts all of them, and pages them newest first', async () => {
      const inbox = await make({ deadLetterKeep: 50 });
      const table = new DeadLetterTable(inbox);
      for (let i = 0; i < 20; i++) {
        const batch = Array.from({ length: 10 }, (_, j) =>
          dead(i * 10 + j, j === 9 ? 'trk-patrol-150825-03' : undefined),
        );
        await inbox.commit([], batch);
        table.committed(batch);
      }
      const all = await inbox.deadLetters({ limit: 1000 });
      expect(all.length).toBeLessThanOrEqual(55);
      expect(all.length).toBeGreaterThanOrEqual(50);
      expect(all[0]).toMatchObject({
        excerpt: '{{{ 199',
        reason: 'schema',
        deviceId: 'trk-patrol-150825-03',
      });
      expect(all.map((d) => d.id)).toEqual([...all.map((d) => d.id)].sort((a, b) => b - a));
      expect(table.counts().not_json + table.counts().schema).toBe(200);
      expect(await inbox.rejectCounts()).toMatchObject({ not_json: 100, schema: 100 });
      // a restart reads the totals back
      const again = new DeadLetterTable(inbox);
      await again.ready; // a promise's turn on SQLite, a round trip on PostgreSQL
      expect(again.counts().not_json).toBe(100);
      const page = await inbox.deadLetters({ limit: 3, beforeId: all[0]!.id, reason: 'not_json' });
      expect(page.map((d) => d.excerpt)).toEqual(['{{{ 198', '{{{ 196', '{{{ 194']);
      const theirs = await inbox.deadLetters({ limit: 2, deviceIds: ['trk-patrol-150825-03'] });
      expect(theirs.map((d) => d.excerpt)).toEqual(['{{{ 199', '{{{ 189']);
      expect(await inbox.deadLetters({ limit: 5, deviceIds: [] })).toEqual([]);
    });

    it('writes a group all or nothing', async () => {
      const inbox = await make();
      const bad = { ...entry('stb-150824-104-0007', 'm-2'), payload: null as unknown as Buffer }; // NOT NULL
      await expect(
        (async () => inbox.commit([entry('stb-150824-104-0007', 'm-1'), bad], [dead(1)]))(),
      ).rejects.toThrow();
      expect(await inbox.has('stb-150824-104-0007', 'm-1')).toBe(false);
      expect(await inbox.deadLetters({ limit: 10 })).toEqual([]);
      expect(await inbox.maxSeq()).toBe(0);
    });

    it('replays from the processed watermark and deletes only processed rows past retention', async () => {
      const inbox = await make();
      expect(await inbox.processedSeq()).toBe(0);
      const rows = Array.from({ length: 5 }, (_, i) =>
        entry('stb-150824-104-0007', `01KAWY30000000000000000${i}`, T + i * 1000),
      );
      await inbox.commit(rows, []);
      await inbox.markProcessed(rows[1]!.seq);
      const pending = await inbox.unprocessed(await inbox.processedSeq(), await inbox.maxSeq(), 10);
      expect(pending.map((r) => r.seq)).toEqual(rows.slice(2).map((r) => r.seq));
      expect((await inbox.unprocessed(rows[1]!.seq, rows[3]!.seq, 10)).map((r) => r.seq)).toEqual([
        rows[2]!.seq,
        rows[3]!.seq,
      ]);
      expect(await inbox.pendingCount(rows[1]!.seq)).toBe(3);
      expect(await inbox.deleteOlderThan(T + 10_000, 100)).toBe(2); // all are old, but only 2 are processed
      expect(await inbox.has('stb-150824-104-0007', '01KAWY300000000000000002')).toBe(true);
      expect(await inbox.has('stb-150824-104-0007', '01KAWY300000000000000000')).toBe(false);
      await inbox.markProcessed(rows[0]!.seq); // the watermark never moves back
      expect(await inbox.processedSeq()).toBe(rows[1]!.seq);
      await inbox.markProcessed(rows[4]!.seq);
      expect(await inbox.deleteOlderThan(T + 2_500, 1)).toBe(1); // at most maxRows, oldest first
      expect(await inbox.deleteOlderThan(T + 2_500, 10)).toBe(0); // rows from T + 3 s on are kept
      expect(await inbox.pendingCount(0)).toBe(2);
    });
  });
}
