import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../state/db.ts';
import { DeadLetterTable } from './dead-letters.ts';
import { type DeadLetterInput, type InboxEntry, InboxStore } from './inbox.ts';

const T = 1_764_028_800_000;
const entry = (sender: string, msgId: string, at = T): InboxEntry => ({
  sender,
  msgId,
  kind: 'hb',
  payload: Buffer.from(`{"id":"${msgId}"}`),
  receivedAt: at,
  seq: -1,
});
const dead = (i: number): DeadLetterInput => ({
  at: T + i,
  topic: 'sl/v1/stb-150824-104-0007/hb',
  deviceId: 'stb-150824-104-0007',
  clientId: 'stb-150824-104-0007',
  reason: 'not_json',
  detail: 'payload is not JSON',
  excerpt: `{{{ ${i}`,
});

describe('InboxStore', () => {
  let db: Db;
  beforeEach(() => {
    db = openDatabase(':memory:');
  });
  afterEach(() => db.close());

  it('gives new messages increasing seq numbers and duplicates seq 0, stored once', () => {
    const inbox = new InboxStore(db);
    const a = [
      entry('stb-150824-104-0007', '01KAWY2Z3M8Q4T7V9B0C1D2E3F'),
      entry('trk-patrol-150825-03', '01KAWY2Z3M8Q4T7V9B0C1D2E3F'),
    ];
    inbox.commit(a, []);
    expect(a[0]!.seq).toBeGreaterThan(0);
    expect(a[1]!.seq).toBe(a[0]!.seq + 1); // same id from another device is not a duplicate
    const again = [entry('stb-150824-104-0007', '01KAWY2Z3M8Q4T7V9B0C1D2E3F')];
    inbox.commit(again, []);
    expect(again[0]!.seq).toBe(0);
    expect(db.prepare('SELECT count(*) FROM inbox').pluck().get()).toBe(2);
  });

  it('keeps the newest dead letters within the bound and counts all of them', () => {
    const inbox = new InboxStore(db, { deadLetterKeep: 50 });
    const table = new DeadLetterTable(db);
    for (let i = 0; i < 20; i++) {
      const batch = Array.from({ length: 10 }, (_, j) => dead(i * 10 + j));
      inbox.commit([], batch);
      table.committed(batch);
    }
    const kept = db.prepare('SELECT count(*) FROM dead_letters').pluck().get() as number;
    expect(kept).toBeLessThanOrEqual(55);
    expect(kept).toBeGreaterThanOrEqual(50);
    expect(table.list({ limit: 1 })[0]?.excerpt).toBe('{{{ 199');
    expect(table.counts().not_json).toBe(200);
    expect(new DeadLetterTable(db).counts().not_json).toBe(200); // from reject_counts, after a restart
  });

  it('replays from the processed watermark and deletes only processed rows past retention', () => {
    const inbox = new InboxStore(db);
    const rows = Array.from({ length: 5 }, (_, i) =>
      entry('stb-150824-104-0007', `01KAWY30000000000000000${i}`, T + i * 1000),
    );
    inbox.commit(rows, []);
    inbox.markProcessed(rows[1]!.seq);
    expect(inbox.unprocessed(inbox.processedSeq(), inbox.maxSeq(), 10).map((r) => r.seq)).toEqual(
      rows.slice(2).map((r) => r.seq),
    );
    expect(inbox.deleteOlderThan(T + 10_000, 100)).toBe(2); // all are old, but only 2 are processed
    expect(inbox.has('stb-150824-104-0007', '01KAWY300000000000000002')).toBe(true);
    inbox.markProcessed(rows[0]!.seq); // the watermark never moves back
    expect(inbox.processedSeq()).toBe(rows[1]!.seq);
  });
});
