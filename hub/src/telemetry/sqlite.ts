import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  batchSize,
  type CloseReport,
  type GrazingPoint,
  type GrazingQuery,
  type HealthPoint,
  type PositionPoint,
  type TelemetryBatch,
  type TelemetryStore,
  type TelemetryStoreHealth,
  TelemetryStoreStateError,
  type TelemetryStoreState,
  type TrackQuery,
} from './port.ts';
import { withDefaults } from './defaults.ts';
import { deleteOlderThan } from './sqlite-retention.ts';
import { schemaSql, sql } from './sqlite-schema.ts';
import {
  type GrazingRow,
  type HealthRow,
  type PosRow,
  grazingFromRow,
  grazingParams,
  healthFromRow,
  healthParams,
  newestPerDevice,
  posFromRow,
  posParams,
} from './sqlite-rows.ts';
import { bucketWidthMs, checkMaxPoints } from './thin.ts';

export interface SqliteTelemetryOptions {
  /** database file, e.g. `<dataDir>/telemetry.db` (its folder is created) */
  path: string;
  retentionMs?: number;
  /** devices handled per retention transaction, so the event loop breathes between chunks */
  retentionChunkDevices?: number;
  /** SQLite page cache, KiB */
  cacheSizeKiB?: number;
  /** WAL pages before an automatic checkpoint (each checkpoint fsyncs) */
  walAutocheckpointPages?: number;
}

export const sqliteTelemetryDefaults = {
  retentionMs: 90 * 24 * 3600_000, // 90 days of tracks, heartbeats and grazing readings
  retentionChunkDevices: 500, // ≈ a few ms of blocking per chunk on a Pi-class disk
  cacheSizeKiB: 32_768, // 32 MiB: the hot end of every device's track stays cached
  // 64 MiB of WAL: a batch spread over thousands of devices dirties thousands of pages, and the
  // default (1000 pages) would checkpoint and fsync after nearly every batch (measured 1.2-2x slower)
  walAutocheckpointPages: 16_384,
} satisfies Omit<Required<SqliteTelemetryOptions>, 'path'>;

const ID_CHUNK = 500; // ids per IN (...) list, well under SQLite's variable limit

export function createSqliteTelemetryStore(options: SqliteTelemetryOptions): TelemetryStore {
  if (!options.path) throw new Error('createSqliteTelemetryStore: pass `path`, e.g. <dataDir>/telemetry.db');
  const o = withDefaults(sqliteTelemetryDefaults, options);
  if (!(o.retentionMs > 0))
    throw new RangeError(`retentionMs must be a positive number of ms, got ${o.retentionMs}`);
  let db: Database.Database | undefined;
  let state: TelemetryStoreState = 'starting';
  let written = 0;
  let dropped = 0;
  let lastError: string | undefined;
  let writeTx: ((b: TelemetryBatch) => void) | undefined;
  let st: Record<keyof typeof sql, Database.Statement> | undefined;

  const open = (what: string) => {
    if (!db || !st || state === 'closed') throw new TelemetryStoreStateError(what, state);
    return { db, st };
  };

  const byIds = <R extends { device: string }>(
    table: 'latest_pos' | 'latest_health',
    cols: string,
    ids: string[],
  ): R[] => {
    const { db } = open('a latest query');
    const out: R[] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += ID_CHUNK) {
      const chunk = unique.slice(i, i + ID_CHUNK);
      const marks = chunk.map(() => '?').join(',');
      out.push(
        ...(db.prepare(`SELECT ${cols} FROM ${table} WHERE device IN (${marks})`).all(...chunk) as R[]),
      );
    }
    return out.sort((a, b) => (a.device < b.device ? -1 : 1));
  };

  return {
    async start() {
      if (db) return;
      mkdirSync(dirname(o.path), { recursive: true });
      const d = new Database(o.path);
      try {
        d.pragma('journal_mode = WAL');
        d.pragma('synchronous = NORMAL'); // WAL + NORMAL: a process crash loses nothing committed
        d.pragma(`cache_size = -${Math.floor(o.cacheSizeKiB)}`);
        d.pragma(`wal_autocheckpoint = ${Math.floor(o.walAutocheckpointPages)}`);
        d.pragma(`journal_size_limit = ${Math.floor(o.walAutocheckpointPages) * 4096}`); // WAL shrinks back after a checkpoint
        d.exec(schemaSql);
      } catch (err) {
        d.close();
        throw err;
      }
      db = d;
      st = Object.fromEntries(Object.entries(sql).map(([k, text]) => [k, d.prepare(text)])) as typeof st;
      const s = st!;
      writeTx = d.transaction((b: TelemetryBatch) => {
        const pos = b.positions ?? [];
        for (const p of pos) s.insertPos.run(posParams(p));
        for (const p of newestPerDevice(pos, (x) => x.subject ?? '')) s.upsertLatestPos.run(posParams(p));
        const hb = b.health ?? [];
        for (const h of hb) s.insertHealth.run(healthParams(h));
        for (const h of newestPerDevice(hb)) s.upsertLatestHealth.run(healthParams(h));
        const gz = b.grazing ?? [];
        for (const g of gz) s.insertGrazing.run(grazingParams(g));
        for (const g of newestPerDevice(gz)) s.upsertLatestGrazing.run(g.deviceId, g.t);
      });
      state = 'up';
    },

    async write(batch) {
      const n = batchSize(batch);
      if (!writeTx || state === 'closed') {
        dropped += n;
        throw new TelemetryStoreStateError('write()', state);
      }
      if (n === 0) return;
      try {
        writeTx(batch);
      } catch (err) {
        dropped += n;
        lastError = (err as Error).message;
        state = 'degraded';
        throw err;
      }
      written += n;
      if (state === 'degraded') state = 'up';
    },

    async track(q: TrackQuery): Promise<PositionPoint[]> {
      const { st } = open('track()');
      if (q.maxPoints !== undefined) checkMaxPoints(q.maxPoints);
      if (q.to < q.from) return [];
      const base =
        q.subject === undefined ? [q.deviceId, q.from, q.to] : [q.deviceId, q.from, q.to, q.subject];
      const sub = q.subject !== undefined;
      const span = (sub ? st.countTrackSubject : st.countTrack).get(...base) as {
        n: number;
        first: number;
        last: number;
      };
      let rows: PosRow[];
      if (q.maxPoints !== undefined && span.n > q.maxPoints) {
        const width = bucketWidthMs(span.first, span.last, q.maxPoints);
        rows = (sub ? st.trackThinnedSubject : st.trackThinned).all(...base, span.first, width) as PosRow[];
      } else {
        rows = (sub ? st.trackSubject : st.track).all(...base) as PosRow[];
      }
      return rows.map(posFromRow);
    },

    async latestPositions(deviceIds) {
      const { st } = open('latestPositions()');
      const cols = 'device, t, subject, lat, lon, alt, hdop, speed, course, msg_id';
      const rows = deviceIds
        ? byIds<PosRow>('latest_pos', cols, deviceIds)
        : (st.latestPosAll.all() as PosRow[]);
      return rows.map(posFromRow);
    },

    async latestHealth(deviceIds): Promise<HealthPoint[]> {
      const { st } = open('latestHealth()');
      const cols = 'device, t, power, battery, rssi, outbox, uptime_s, clock_offset_ms, agent, msg_id';
      const rows = deviceIds
        ? byIds<HealthRow>('latest_health', cols, deviceIds)
        : (st.latestHealthAll.all() as HealthRow[]);
      return rows.map(healthFromRow);
    },

    async grazing(q: GrazingQuery): Promise<GrazingPoint[]> {
      const { st } = open('grazing()');
      return (st.grazing.all(q.deviceId, q.from, q.to) as GrazingRow[]).map(grazingFromRow);
    },

    async applyRetention(now) {
      open('applyRetention()');
      const deleted = await deleteOlderThan(
        () => open('applyRetention()').db,
        now - o.retentionMs,
        o.retentionChunkDevices,
      );
      return { deleted };
    },

    health(): TelemetryStoreHealth {
      const h: TelemetryStoreHealth = { adapter: 'sqlite', state, buffered: 0, spilled: 0, dropped, written };
      if (lastError !== undefined) h.lastError = lastError;
      return h;
    },

    async close(): Promise<CloseReport> {
      if (db) {
        db.close();
        db = undefined;
        st = undefined;
        writeTx = undefined;
      }
      state = 'closed';
      return { unwritten: 0 }; // every write() either committed before resolving or rejected
    },
  };
}
