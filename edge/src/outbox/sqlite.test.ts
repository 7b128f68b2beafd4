import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runOutboxContract } from './contract.ts';
import { openSqliteOutbox } from './sqlite.ts';
import { StorageRefusedError, storageFault } from './storage.ts';

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

const entry = (kind: 'sos' | 'receipt' | 'hb' | 'pos', id: string, bytes = 64) => ({
  kind,
  topic: `sl/v1/d/${kind}`,
  msgId: id,
  payload: Buffer.alloc(bytes, 1),
  createdMs: 1,
});

describe('sqlite outbox on a full disk', () => {
  it('classifies storage errors apart from bugs', () => {
    expect(storageFault({ code: 'SQLITE_FULL' })).toBe('full');
    expect(storageFault({ code: 'ENOSPC' })).toBe('full');
    expect(storageFault({ code: 'SQLITE_IOERR_WRITE' })).toBe('failing');
    expect(storageFault({ code: 'SQLITE_READONLY' })).toBe('failing');
    expect(storageFault(new TypeError('x'))).toBeUndefined();
    expect(storageFault({ code: 'SQLITE_CONSTRAINT' })).toBeUndefined();
  });

  // A real small filesystem needs root to mount; tests/edge-disk-full covers the agent end to end.
  it.skipIf(process.getuid?.() !== 0)(
    'refuses telemetry, writes SOS and receipts from the reserved room, keeps its counters, and recovers',
    () => {
      const mnt = mkdtempSync(join(tmpdir(), 'sl-outbox-full-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1024k', 'tmpfs', mnt]);
      try {
        const store = openSqliteOutbox({ path: join(mnt, 'o.db'), reserveBytes: 128 * 1024, now: () => 42 });
        expect(store.storage()).toMatchObject({ state: 'ok', reserve: 'held' });
        expect(existsSync(join(mnt, 'o.db.reserve'))).toBe(true);
        const filler = join(mnt, 'filler');
        const fd = openSync(filler, 'w');
        try {
          for (;;) writeSync(fd, Buffer.alloc(4096));
        } catch {}
        closeSync(fd);
        let i = 0;
        expect(() => {
          for (; i < 10_000; i++) store.put(entry('pos', `p${i}`, 2048));
        }).toThrow(/full/);
        expect(store.storage()).toMatchObject({ state: 'full', since: 42, refused: 1 });
        const before = store.stats();
        expect(before.count).toBe(store.next(100_000).length); // the failed write left no trace
        expect(() => store.put(entry('pos', 'px'))).toThrow(StorageRefusedError);
        expect(() => store.stage('pos', '{}')).toThrow(StorageRefusedError);
        expect(store.storage().refused).toBe(3);
        store.put(entry('sos', 's1'));
        store.put(entry('receipt', 'r1'));
        expect(store.storage().reserve).toBe('released');
        expect(store.next(2).map((e) => e.msgId)).toEqual(['s1', 'r1']);
        expect(store.stats().count).toBe(before.count + 2);
        expect(store.probe()).toBe(false); // no room for the reserve yet
        unlinkSync(filler);
        expect(store.probe()).toBe(true);
        expect(store.storage()).toMatchObject({ state: 'ok', reserve: 'held' });
        store.put(entry('pos', 'again'));
        store.close();
      } finally {
        execFileSync('umount', ['-l', mnt]);
        rmSync(mnt, { recursive: true, force: true });
      }
    },
  );
});
