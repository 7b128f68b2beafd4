import type { Clock } from './clock.ts';
import type { HubEvents } from './events.ts';
import type { Logger } from './log.ts';
import type { PresenceReader, PresenceRecord } from './ports.ts';
import { type Db, migrate } from './state/db.ts';

const migrations = [
  `CREATE TABLE presence (
     device_id TEXT PRIMARY KEY,
     online INTEGER NOT NULL,
     last_seen INTEGER,
     connected_at INTEGER,
     disconnected_at INTEGER,
     last_reason TEXT
   ) WITHOUT ROWID`,
];

export const presenceDefaults = {
  flushIntervalMs: 1_000, // changes are written in one transaction per interval; a crash loses at most this much last_seen
};

type State = 'idle' | 'running' | 'closed';

/**
 * Device presence as the broker sees it: connect, disconnect (clean, keepalive timeout, error,
 * takeover), and last_seen on every message or ping. Kept in memory (a league is ~100k rows) and
 * in the `presence` table, written in batches. Changes of `online` emit 'device.presence' at once.
 */
export class Presence implements PresenceReader {
  private readonly records = new Map<string, PresenceRecord>();
  private readonly dirty = new Set<string>();
  private online = 0;
  private state: State = 'idle';
  private timer: unknown;
  private readonly o: typeof presenceDefaults;
  private readonly upsert;

  constructor(
    private readonly db: Db,
    private readonly events: HubEvents,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: Partial<typeof presenceDefaults> = {},
  ) {
    this.o = { ...presenceDefaults, ...options };
    migrate(db, 'presence', migrations);
    this.upsert = db.prepare(
      `INSERT INTO presence (device_id, online, last_seen, connected_at, disconnected_at, last_reason)
       VALUES (@deviceId, @online, @lastSeen, @connectedAt, @disconnectedAt, @lastReason)
       ON CONFLICT(device_id) DO UPDATE SET online = excluded.online, last_seen = excluded.last_seen,
         connected_at = excluded.connected_at, disconnected_at = excluded.disconnected_at, last_reason = excluded.last_reason`,
    );
  }

  /** Loads the table; whoever was online when the hub stopped is now offline (the broker restarted). */
  start(): void {
    if (this.state !== 'idle') throw new Error(`presence: start() called in state '${this.state}'`);
    const rows = this.db
      .prepare(
        `SELECT device_id AS deviceId, online, last_seen AS lastSeen, connected_at AS connectedAt,
           disconnected_at AS disconnectedAt, last_reason AS lastReason FROM presence`,
      )
      .all() as (Omit<PresenceRecord, 'online'> & { online: number })[];
    const now = this.clock.now();
    const wereOnline: string[] = [];
    for (const r of rows) {
      const rec: PresenceRecord = { ...r, online: false };
      if (r.online === 1) {
        rec.disconnectedAt = now;
        rec.lastReason = 'hub_restart';
        this.dirty.add(r.deviceId);
        wereOnline.push(r.deviceId);
      }
      this.records.set(r.deviceId, rec);
    }
    this.flush();
    for (const deviceId of wereOnline) {
      this.events.emit('device.presence', { deviceId, online: false, at: now, reason: 'hub_restart' });
    }
    this.state = 'running';
    this.timer = this.clock.setInterval(() => this.flush(), this.o.flushIntervalMs);
  }

  connected(deviceId: string): void {
    const now = this.clock.now();
    const rec = this.record(deviceId);
    if (!rec.online) this.online++;
    rec.online = true;
    rec.connectedAt = now;
    rec.lastSeen = now;
    rec.lastReason = 'connected';
    this.dirty.add(deviceId);
    this.events.emit('device.presence', { deviceId, online: true, at: now, reason: 'connected' });
  }

  disconnected(deviceId: string, reason: string): void {
    const rec = this.records.get(deviceId);
    if (!rec?.online) return;
    const now = this.clock.now();
    this.online--;
    rec.online = false;
    rec.disconnectedAt = now;
    rec.lastReason = reason;
    this.dirty.add(deviceId);
    this.events.emit('device.presence', { deviceId, online: false, at: now, reason });
  }

  /** Heard from the device (a message, a ping): last_seen only, written with the next batch. */
  touch(deviceId: string): void {
    const rec = this.records.get(deviceId);
    if (!rec) return;
    rec.lastSeen = this.clock.now();
    this.dirty.add(deviceId);
  }

  get(deviceId: string): PresenceRecord | undefined {
    const r = this.records.get(deviceId);
    return r ? { ...r } : undefined;
  }

  many(deviceIds: readonly string[]): Map<string, PresenceRecord> {
    const out = new Map<string, PresenceRecord>();
    for (const id of deviceIds) {
      const r = this.records.get(id);
      if (r) out.set(id, { ...r });
    }
    return out;
  }

  onlineCount(): number {
    return this.online;
  }

  get pendingWrites(): number {
    return this.dirty.size;
  }

  flush(): void {
    if (this.dirty.size === 0) return;
    const ids = [...this.dirty];
    this.dirty.clear();
    try {
      this.db.transaction(() => {
        for (const id of ids) {
          const r = this.records.get(id);
          if (r) this.upsert.run({ ...r, online: r.online ? 1 : 0 });
        }
      })();
    } catch (err) {
      for (const id of ids) this.dirty.add(id);
      this.log.error({ err, rows: ids.length }, 'presence flush failed; will retry');
    }
  }

  close(): void {
    if (this.state === 'closed') return;
    this.clock.clearInterval(this.timer);
    for (const [id, r] of this.records) {
      if (r.online) this.disconnected(id, 'hub_shutdown');
    }
    this.flush();
    this.state = 'closed';
  }

  private record(deviceId: string): PresenceRecord {
    let r = this.records.get(deviceId);
    if (!r) {
      r = {
        deviceId,
        online: false,
        lastSeen: null,
        connectedAt: null,
        disconnectedAt: null,
        lastReason: null,
      };
      this.records.set(deviceId, r);
    }
    return r;
  }
}
