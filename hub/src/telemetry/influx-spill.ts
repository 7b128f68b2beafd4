import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { TelemetryRefusedError } from './port.ts';

/**
 * The durable local buffer of the InfluxDB adapter: line protocol that could not be written yet,
 * in arrival order, in its own SQLite file (e.g. `<dataDir>/influx-spill.db`). It survives a
 * restart of the hub, so what write() accepted while InfluxDB was down replays when it returns.
 */
export interface SpillChunk {
  id: number;
  lines: string;
  n: number;
}

export interface Spill {
  /** points waiting */
  readonly count: number;
  /** appends chunks in one transaction; durable when it returns. Throws TelemetryRefusedError when full or failing. */
  append(chunks: string[][]): void;
  /** the oldest chunks, up to about `maxLines` points (at least one chunk when not empty) */
  peek(maxLines: number): SpillChunk[];
  /** removes chunks once written (or rejected for good) */
  remove(ids: number[]): void;
  /** removes every chunk whose newest point is older than `t` (retention); returns points removed */
  removeOlderThan(t: number): number;
  close(): void;
}

/** `capacityLines` bounds the file: beyond it append() refuses (the caller counts that as dropped). */
export function openSpill(path: string, capacityLines = Number.POSITIVE_INFINITY): Spill {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL'); // a process crash loses nothing committed; same as telemetry.db
    db.exec(`CREATE TABLE IF NOT EXISTS spill (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      lines TEXT NOT NULL,
      n INTEGER NOT NULL,
      max_t INTEGER NOT NULL
    )`);
  } catch (err) {
    db.close();
    throw err;
  }
  const insert = db.prepare('INSERT INTO spill (lines, n, max_t) VALUES (?, ?, ?)');
  const select = db.prepare('SELECT id, lines, n FROM spill ORDER BY id LIMIT ?');
  const del = db.prepare('DELETE FROM spill WHERE id = ? RETURNING n');
  const old = db.prepare('DELETE FROM spill WHERE max_t < ? RETURNING n');
  let count = (db.prepare('SELECT coalesce(sum(n), 0) AS n FROM spill').get() as { n: number }).n;

  const appendTx = db.transaction((chunks: string[][]) => {
    for (const c of chunks) if (c.length > 0) insert.run(c.join('\n'), c.length, maxTime(c));
  });
  const removeTx = db.transaction((ids: number[]) => {
    let n = 0;
    for (const id of ids) n += (del.get(id) as { n: number } | undefined)?.n ?? 0;
    return n;
  });

  return {
    get count() {
      return count;
    },
    append(chunks) {
      const n = chunks.reduce((a, c) => a + c.length, 0);
      if (count + n > capacityLines) {
        throw new TelemetryRefusedError(
          `telemetry spill is full (${count} of ${capacityLines} points waiting for InfluxDB); raise maxSpillLines or bring InfluxDB back`,
        );
      }
      try {
        appendTx(chunks);
      } catch (err) {
        throw new TelemetryRefusedError(`telemetry spill failed: ${(err as Error).message}`);
      }
      count += n;
    },
    peek(maxLines) {
      const out: SpillChunk[] = [];
      let lines = 0;
      // chunks are at most one write batch each, so a few rows cover maxLines
      for (const row of select.all(64) as SpillChunk[]) {
        if (out.length > 0 && lines + row.n > maxLines) break;
        out.push(row);
        lines += row.n;
      }
      if (out.length === 0) count = 0; // nothing left whatever the tally said: never replay emptiness forever
      return out;
    },
    remove(ids) {
      count -= removeTx(ids);
    },
    removeOlderThan(t) {
      const n = (old.all(t) as { n: number }[]).reduce((s, r) => s + r.n, 0);
      count -= n;
      return n;
    },
    close() {
      db.close();
    },
  };
}

/** Newest timestamp in a chunk of ms line protocol (the number after the last space). */
function maxTime(lines: string[]): number {
  let max = 0;
  for (const l of lines) {
    const t = Number(l.slice(l.lastIndexOf(' ') + 1));
    if (t > max) max = t;
  }
  return max;
}
