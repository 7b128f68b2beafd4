import { closeSync, fsyncSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { EDGE_DEFAULTS } from '../defaults.ts';
import {
  type Cursor,
  EVICTABLE,
  PRIORITY,
  emptyByPriority,
  type NewEntry,
  type OutboxEntry,
  type OutboxLimits,
  type OutboxStats,
  type OutboxStore,
  PRIORITY_NAMES,
  type Priority,
  type PutResult,
  priorityOf,
  type StagedItem,
} from './port.ts';
import {
  admits,
  type StorageState,
  type StorageStatus,
  StorageRefusedError,
  storageFault,
} from './storage.ts';

export interface SqliteOutboxOptions extends Partial<OutboxLimits> {
  path: string;
  /**
   * 'full' (default): every accepted message survives a power cut (one fsync per commit).
   * 'normal': survives a process crash (SIGKILL) but the last commits may roll back on power loss;
   * faster on slow SD cards.
   */
  sync?: 'full' | 'normal';
  /** SQLite page cache in KiB. better-sqlite3 builds SQLite with a 16 MB default; a queue read in order needs little. */
  cacheKb?: number;
  /**
   * Room kept for SOS and receipts on a filling disk: a file of this many zero bytes next to the
   * database (`<path>.reserve`), given back when an SOS or receipt cannot otherwise be written.
   * 0 disables it.
   */
  reserveBytes?: number;
  /** Clock for the storage status (`since`). */
  now?: () => number;
}

interface Row {
  seq: number;
  prio: Priority;
  kind: OutboxEntry['kind'];
  topic: string;
  msg_id: string;
  payload: Buffer;
  created_ms: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  prio INTEGER NOT NULL,
  kind TEXT NOT NULL,
  topic TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  payload BLOB NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_send_order ON outbox (prio, seq);
CREATE TABLE IF NOT EXISTS staged (sid INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, item TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

const toEntry = (r: Row): OutboxEntry => ({
  seq: r.seq,
  prio: r.prio,
  kind: r.kind,
  topic: r.topic,
  msgId: r.msg_id,
  payload: r.payload,
  createdMs: r.created_ms,
});

/** The device's durable outbox: one SQLite file in WAL mode. */
export function openSqliteOutbox(options: SqliteOutboxOptions): OutboxStore {
  const maxBytes = options.maxBytes ?? EDGE_DEFAULTS.outboxMaxBytes;
  const maxMessages = options.maxMessages ?? EDGE_DEFAULTS.outboxMaxMessages;
  let db: Database.Database;
  try {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    db = new Database(options.path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.sync === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma(`cache_size = -${Math.max(64, Math.floor(options.cacheKb ?? 1024))}`);
    db.exec(SCHEMA);
  } catch (error) {
    throw new Error(
      `Cannot open the outbox at ${options.path}: ${(error as Error).message}. Check the path and its permissions, or move a damaged file aside.`,
    );
  }

  const now = options.now ?? Date.now;
  const reservePath = options.path === ':memory:' ? undefined : `${options.path}.reserve`;
  const reserveBytes = reservePath
    ? Math.max(0, options.reserveBytes ?? EDGE_DEFAULTS.outboxReserveBytes)
    : 0;
  const health: StorageStatus = { state: 'ok', refused: 0, reserve: reserveBytes > 0 ? 'released' : 'none' };
  /** Takes the reserved room (writes the reserve file) if it is not held; false when there is no space. */
  const holdReserve = (): boolean => {
    if (!reservePath || reserveBytes === 0 || health.reserve === 'held') return true;
    try {
      if (statSync(reservePath, { throwIfNoEntry: false })?.size === reserveBytes) {
        health.reserve = 'held';
        return true;
      }
      const fd = openSync(reservePath, 'w');
      try {
        const zeros = Buffer.alloc(Math.min(reserveBytes, 64 * 1024));
        for (let done = 0; done < reserveBytes; )
          done += writeSync(fd, zeros, 0, Math.min(zeros.length, reserveBytes - done));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      health.reserve = 'held';
      return true;
    } catch {
      releaseReserve();
      return false;
    }
  };
  /** Gives the reserved room back to the filesystem; true if there was any. */
  const releaseReserve = (): boolean => {
    if (!reservePath || reserveBytes === 0) return false;
    const had = health.reserve === 'held';
    try {
      unlinkSync(reservePath);
    } catch {}
    health.reserve = 'released';
    return had;
  };
  const degrade = (state: Exclude<StorageState, 'ok'>, error: unknown) => {
    if (health.state !== state) health.since = now();
    health.state = state;
    health.lastError = (error as Error).message;
  };
  holdReserve();

  const q = {
    insert: db.prepare(
      'INSERT INTO outbox (prio, kind, topic, msg_id, payload, created_ms) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    first: db.prepare<[number]>('SELECT * FROM outbox ORDER BY prio, seq LIMIT ?'),
    // Two index seeks instead of a row-value comparison: SQLite plans `(prio, seq) > (?, ?)` as a
    // range on prio alone and walks the whole priority class (15 ms per page at 100k rows).
    samePrio: db.prepare<[number, number, number]>(
      'SELECT * FROM outbox WHERE prio = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    laterPrio: db.prepare<[number, number]>('SELECT * FROM outbox WHERE prio > ? ORDER BY prio, seq LIMIT ?'),
    del: db.prepare<[number]>('DELETE FROM outbox WHERE seq = ? RETURNING prio, length(payload) AS n'),
    oldest: db.prepare<[number, number]>(
      'SELECT seq, length(payload) AS n FROM outbox WHERE prio = ? ORDER BY seq LIMIT ?',
    ),
    totals: db.prepare(
      'SELECT prio, count(*) AS c, coalesce(sum(length(payload)), 0) AS b FROM outbox GROUP BY prio',
    ),
    stage: db.prepare('INSERT INTO staged (stream, item) VALUES (?, ?)'),
    stagedAll: db.prepare('SELECT sid, stream, item FROM staged ORDER BY sid'),
    stagedOf: db.prepare<[string]>('SELECT sid, stream, item FROM staged WHERE stream = ? ORDER BY sid'),
    stagedCount: db.prepare('SELECT count(*) AS c FROM staged'),
    unstage: db.prepare<[string, number]>('DELETE FROM staged WHERE stream = ? AND sid <= ?'),
    getMeta: db.prepare<[string]>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ),
  };

  // Counters kept in memory so stats() and the bound check never scan the table.
  const counts = PRIORITY_NAMES.map(() => 0);
  const sizes = PRIORITY_NAMES.map(() => 0);
  for (const r of q.totals.all() as { prio: number; c: number; b: number }[]) {
    counts[r.prio] = r.c;
    sizes[r.prio] = r.b;
  }
  let staged = (q.stagedCount.get() as { c: number }).c;
  let evicted = 0;
  let closed = false;
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const check = () => {
    if (closed) throw new Error('outbox is closed');
  };

  const snapshot = () => ({ counts: [...counts], sizes: [...sizes], staged, evicted });
  const restore = (snap: ReturnType<typeof snapshot>) => {
    counts.splice(0, counts.length, ...snap.counts);
    sizes.splice(0, sizes.length, ...snap.sizes);
    staged = snap.staged;
    evicted = snap.evicted;
  };

  /**
   * Runs one write. A failed transaction rolls back, and so do the counters. On a storage fault
   * the store degrades (telemetry is refused from then on until probe() finds room again); an
   * urgent write (SOS, receipt) then takes the reserved room and tries once more.
   */
  const guarded = <T>(kind: 'urgent' | 'hb' | 'telemetry', write: () => T): T => {
    check();
    if (!admits(health.state, kind)) {
      health.refused++;
      throw new StorageRefusedError(
        `the outbox storage is ${health.state} (${health.lastError ?? 'no detail'}); telemetry is refused until there is room again`,
      );
    }
    let snap = snapshot();
    try {
      return write();
    } catch (error) {
      restore(snap);
      const fault = storageFault(error);
      if (!fault) throw error;
      degrade(fault, error);
      if (kind === 'telemetry') health.refused++;
      if (kind !== 'urgent' || !releaseReserve()) throw error;
      snap = snapshot();
      try {
        return write();
      } catch (again) {
        restore(snap);
        throw again;
      }
    }
  };
  const kindOfEntries = (es: readonly NewEntry[]): 'urgent' | 'hb' | 'telemetry' => {
    let p: number = PRIORITY.telemetry;
    for (const e of es) p = Math.min(p, priorityOf(e.kind));
    return p <= PRIORITY.receipt ? 'urgent' : p === PRIORITY.hb ? 'hb' : 'telemetry';
  };

  const evict = (): number => {
    let n = 0;
    for (const prio of EVICTABLE) {
      while (total(sizes) > maxBytes || total(counts) > maxMessages) {
        const rows = q.oldest.all(prio, 256) as { seq: number; n: number }[];
        if (rows.length === 0) break;
        for (const r of rows) {
          if (total(sizes) <= maxBytes && total(counts) <= maxMessages) break;
          q.del.run(r.seq);
          counts[prio] = (counts[prio] ?? 0) - 1;
          sizes[prio] = (sizes[prio] ?? 0) - r.n;
          n++;
        }
      }
    }
    return n;
  };

  const insert = (e: NewEntry): PutResult => {
    const prio = priorityOf(e.kind);
    const payload = Buffer.isBuffer(e.payload) ? e.payload : Buffer.from(e.payload);
    const info = q.insert.run(prio, e.kind, e.topic, e.msgId, payload, e.createdMs);
    counts[prio] = (counts[prio] ?? 0) + 1;
    sizes[prio] = (sizes[prio] ?? 0) + payload.byteLength;
    const n = evict();
    evicted += n;
    return { seq: Number(info.lastInsertRowid), evicted: n };
  };

  const putTx = db.transaction((e: NewEntry) => insert(e));
  const putManyTx = db.transaction((es: readonly NewEntry[]) => es.map(insert));
  const removeTx = db.transaction((seqs: readonly number[]) => {
    let n = 0;
    for (const s of seqs) {
      const r = q.del.get(s) as { prio: number; n: number } | undefined;
      if (r) {
        counts[r.prio] = (counts[r.prio] ?? 0) - 1;
        sizes[r.prio] = (sizes[r.prio] ?? 0) - r.n;
        n++;
      }
    }
    return n;
  });
  const commitTx = db.transaction((stream: string, upto: number, e: NewEntry) => {
    staged -= q.unstage.run(stream, upto).changes;
    return insert(e);
  });

  return {
    adapter: 'sqlite',
    put(entry) {
      return guarded(kindOfEntries([entry]), () => putTx(entry));
    },
    putMany(entries) {
      return guarded(kindOfEntries(entries), () => putManyTx(entries));
    },
    next(limit, after?: Cursor) {
      check();
      if (!after) return (q.first.all(limit) as Row[]).map(toEntry);
      const rows = q.samePrio.all(after.prio, after.seq, limit) as Row[];
      if (rows.length < limit) rows.push(...(q.laterPrio.all(after.prio, limit - rows.length) as Row[]));
      return rows.map(toEntry);
    },
    remove(seqs) {
      return seqs.length === 0 ? 0 : guarded('hb', () => removeTx(seqs));
    },
    stats(): OutboxStats {
      const byPriority = emptyByPriority();
      PRIORITY_NAMES.forEach((name, i) => {
        byPriority[name] = counts[i] ?? 0;
      });
      return { count: total(counts), bytes: total(sizes), byPriority, evicted, staged };
    },
    stage(stream, item) {
      return guarded('telemetry', () => {
        const sid = Number(q.stage.run(stream, item).lastInsertRowid);
        staged++;
        return sid;
      });
    },
    staged(stream) {
      check();
      return (stream === undefined ? q.stagedAll.all() : q.stagedOf.all(stream)) as StagedItem[];
    },
    commitStaged(stream, uptoSid, entry) {
      return guarded(kindOfEntries([entry]), () => commitTx(stream, uptoSid, entry));
    },
    dropStaged(stream, uptoSid) {
      return guarded('hb', () => {
        const n = q.unstage.run(stream, uptoSid).changes;
        staged -= n;
        return n;
      });
    },
    getMeta(key) {
      check();
      return (q.getMeta.get(key) as { value: string } | undefined)?.value;
    },
    setMeta(key, value) {
      guarded('hb', () => q.setMeta.run(key, value));
    },
    storage() {
      return { ...health };
    },
    probe() {
      check();
      if (health.state === 'ok') return true;
      // Room again? The reserve first (so an SOS can always be written), then a real write.
      if (!holdReserve()) return false;
      try {
        q.setMeta.run('storage-probe', String(now()));
      } catch (error) {
        const fault = storageFault(error);
        if (!fault) throw error;
        degrade(fault, error);
        return false;
      }
      health.state = 'ok';
      health.since = now();
      return true;
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
