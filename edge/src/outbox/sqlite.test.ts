import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runOutboxContract } from './contract.ts';
import { openSqliteOutbox } from './sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'sl-outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `outbox-${++n}.db`);

runOutboxContract('sqlite', (limits) => openSqliteOutbox({ path: file(), sync: 'normal', ...limits }));

describe('sqlite outbox', () => {
  it('keeps entries, staged items, metadata and counters across close and reopen', () => {
    const path = file();
    const a = openSqliteOutbox({ path });
    a.put({ kind: 'sos', topic: 'sl/v1/d/sos', msgId: 's1', payload: Buffer.from('{}'), createdMs: 1 });
    a.put({ kind: 'pos', topic: 'sl/v1/d/pos', msgId: 'p1', payload: Buffer.from('{"x":1}'), createdMs: 2 });
    a.stage('pos', '[0,42.4,106.8]');
    a.setMeta('sos', '{"state":"sending"}');
    a.close();
    const b = openSqliteOutbox({ path });
    expect(b.next(10).map((e) => e.msgId)).toEqual(['s1', 'p1']);
    expect(b.stats()).toMatchObject({ count: 2, bytes: 9, staged: 1 });
    expect(b.staged('pos')[0]?.item).toBe('[0,42.4,106.8]');
    expect(b.getMeta('sos')).toBe('{"state":"sending"}');
    const seq = b.put({ kind: 'hb', topic: 't', msgId: 'h1', payload: Buffer.from('1'), createdMs: 3 }).seq;
    expect(seq).toBeGreaterThan(2);
    b.close();
  });

  it('says which file it could not open and what to do', () => {
    const bad = join(dir, 'not-a-db.db');
    writeFileSync(bad, 'this is not sqlite '.repeat(200));
    expect(() => openSqliteOutbox({ path: bad })).toThrow(
      /Cannot open the outbox at .*not-a-db\.db.*move a damaged file aside/,
    );
  });
});
