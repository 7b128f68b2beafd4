import { Counter } from 'prom-client';
import type { HubMetrics } from '../metrics.ts';
import { type Db, migrate } from '../state/db.ts';
import { type IngestKind, isWorkerKind } from './accept-queue.ts';
import { clampSourceTimes } from './source-time.ts';

export const clockSkewDefaults = {
  futureToleranceMs: 2 * 60_000, // a source time further ahead of hub receive time is untrue and kept as receive time; NTP/GPS-synced boxes are within seconds, delivery adds none
  clockSkewClearAfterMs: 10 * 60_000, // the flag clears on a plausible message this long after the device's last future-stamped one
};
export type ClockSkewOptions = Partial<typeof clockSkewDefaults>;

/** A device whose clock ran ahead: what it last claimed, and when the hub saw it. */
export interface ClockSkewFlag {
  deviceId: string;
  /** how far ahead of hub receive time its last future-stamped message was, ms */
  aheadMs: number;
  /** the source time it claimed (kept here; the message itself is stored at receive time) */
  deviceTs: number;
  /** kind of that message */
  kind: string;
  /** hub time of the first future-stamped message of this episode */
  since: number;
  /** hub time of the latest one */
  lastAt: number;
  /** future-stamped messages in this episode */
  messages: number;
}

/** Module 'device-clock' in schema_migrations. Append, never edit. */
const migrations = [
  `CREATE TABLE device_clock (
     device_id TEXT PRIMARY KEY,
     ahead_ms INTEGER NOT NULL,
     device_ts INTEGER NOT NULL,
     kind TEXT NOT NULL,
     since INTEGER NOT NULL,
     last_at INTEGER NOT NULL,
     messages INTEGER NOT NULL,
     cleared_at INTEGER
   ) WITHOUT ROWID`,
];
const cols = `device_id AS deviceId, ahead_ms AS aheadMs, device_ts AS deviceTs, kind, since,
  last_at AS lastAt, messages`;

/** The `device_clock` table: one row per device ever flagged; `cleared_at` is null while flagged. */
export class ClockSkewTable {
  private readonly st;

  constructor(private readonly db: Db) {
    migrate(db, 'device-clock', migrations);
    this.st = {
      active: db.prepare(`SELECT ${cols} FROM device_clock WHERE cleared_at IS NULL`),
      some: db.prepare(
        `SELECT ${cols} FROM device_clock WHERE cleared_at IS NULL
           AND device_id IN (SELECT value FROM json_each(?))`,
      ),
      put: db.prepare(
        `INSERT INTO device_clock (device_id, ahead_ms, device_ts, kind, since, last_at, messages, cleared_at)
         VALUES (@deviceId, @aheadMs, @deviceTs, @kind, @since, @lastAt, @messages, NULL)
         ON CONFLICT (device_id) DO UPDATE SET ahead_ms = excluded.ahead_ms, device_ts = excluded.device_ts,
           kind = excluded.kind, since = excluded.since, last_at = excluded.last_at,
           messages = excluded.messages, cleared_at = NULL`,
      ),
      clear: db.prepare('UPDATE device_clock SET cleared_at = ? WHERE device_id = ?'),
    };
  }

  /** Flagged devices among `deviceIds` (all flagged devices when absent). */
  flagged(deviceIds?: readonly string[]): Map<string, ClockSkewFlag> {
    const rows = (
      deviceIds ? this.st.some.all(JSON.stringify(deviceIds)) : this.st.active.all()
    ) as ClockSkewFlag[];
    return new Map(rows.map((r) => [r.deviceId, r]));
  }

  write(put: readonly ClockSkewFlag[], cleared: ReadonlyMap<string, number>): void {
    this.db.transaction(() => {
      for (const f of put) this.st.put.run(f);
      for (const [id, at] of cleared) this.st.clear.run(at, id);
    })();
  }
}

/**
 * Applies the plausibility rule to every accepted message (see `source-time.ts`), counts the
 * future-stamped ones by kind (`steppelink_messages_future_stamped_total`) and keeps each
 * device's clock-skew flag: raised by a future-stamped message, cleared by a plausible one
 * received at least `clockSkewClearAfterMs` after the last future-stamped one. Flags live in
 * memory and in `device_clock`, written by `flush()` once per processor batch.
 */
export class ClockSkew {
  private readonly flags: Map<string, ClockSkewFlag>;
  private readonly dirty = new Set<string>();
  private readonly cleared = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  private readonly counter: Counter<'kind'>;
  private readonly o: typeof clockSkewDefaults;

  constructor(
    private readonly table: ClockSkewTable,
    metrics: HubMetrics,
    options: ClockSkewOptions = {},
  ) {
    this.o = { ...clockSkewDefaults, ...options };
    if (!(this.o.futureToleranceMs >= 0))
      throw new Error('ingest: futureToleranceMs must be 0 or more milliseconds, e.g. 120000');
    this.flags = table.flagged();
    const name = 'steppelink_messages_future_stamped_total';
    this.counter =
      (metrics.registry.getSingleMetric(name) as Counter<'kind'> | undefined) ??
      new Counter({
        name,
        help: 'Accepted messages with a source time beyond hub receive time plus tolerance (kept at receive time), by kind',
        labelNames: ['kind'],
        registers: [metrics.registry],
      });
  }

  /** devices flagged now */
  get flaggedCount(): number {
    return this.flags.size;
  }

  /** Clamps the message's future source times in place and updates its sender's flag. */
  check(kind: IngestKind, deviceId: string, msg: { ts: number }, receivedAt: number): void {
    const ahead = clampSourceTimes(kind, msg, receivedAt, this.o.futureToleranceMs);
    if (ahead === 0) {
      if (this.flags.size > 0) this.plausible(deviceId, receivedAt);
      return;
    }
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    if (isWorkerKind(kind)) return; // a person's phone: counted, not a device to flag
    let f = this.flags.get(deviceId);
    if (!f) {
      f = { deviceId, aheadMs: 0, deviceTs: 0, kind, since: receivedAt, lastAt: receivedAt, messages: 0 };
      this.flags.set(deviceId, f);
    }
    f.aheadMs = ahead;
    f.deviceTs = receivedAt + ahead;
    f.kind = kind;
    f.lastAt = Math.max(f.lastAt, receivedAt);
    f.messages++;
    this.dirty.add(deviceId);
    this.cleared.delete(deviceId);
  }

  private plausible(deviceId: string, receivedAt: number): void {
    const f = this.flags.get(deviceId);
    if (!f || receivedAt - f.lastAt < this.o.clockSkewClearAfterMs) return;
    this.flags.delete(deviceId);
    this.dirty.delete(deviceId);
    this.cleared.set(deviceId, receivedAt);
  }

  /** Writes changed flags (one transaction) and adds the counts to the metric. */
  flush(): void {
    for (const [kind, n] of this.counts) this.counter.inc({ kind }, n);
    this.counts.clear();
    if (this.dirty.size === 0 && this.cleared.size === 0) return;
    const put = [...this.dirty].flatMap((id) => this.flags.get(id) ?? []);
    this.table.write(put, this.cleared);
    this.dirty.clear();
    this.cleared.clear();
  }
}
