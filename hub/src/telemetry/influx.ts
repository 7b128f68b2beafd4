import { type BackoffOptions, backoffDefaults } from './backoff.ts';
import { withDefaults } from './defaults.ts';
import { HttpError } from '@influxdata/influxdb-client';
import {
  classifyFailure,
  createInfluxHttp,
  ident,
  type InfluxHttp,
  InfluxQueryError,
} from './influx-http.ts';
import { batchLines } from './influx-lines.ts';
import {
  deleteOlderThan,
  type InfluxQueryOptions,
  queryGrazing,
  queryLatestHealth,
  queryLatestPositions,
  queryTrack,
} from './influx-queries.ts';
import { openSpill, type Spill } from './influx-spill.ts';
import { createInfluxWriter, type InfluxWriter, type InfluxWriterOptions } from './influx-writer.ts';
import {
  batchSize,
  type CloseReport,
  type TelemetryStore,
  type TelemetryStoreHealth,
  TelemetryRefusedError,
  TelemetryStoreStateError,
  type TelemetryStoreState,
} from './port.ts';
import type { Timers } from './timers.ts';

export interface InfluxTelemetryOptions
  extends Partial<Omit<InfluxWriterOptions, 'backoff'>>,
    Partial<InfluxQueryOptions> {
  /** base URL, e.g. http://127.0.0.1:8086 (InfluxDB 1.x, 2.x with v1 compatibility, 3.x) */
  url: string;
  /** v1 database (2.x: a bucket with a DBRP mapping); defaults to `bucket`, then 'steppelink' */
  database?: string;
  /** sent as `Authorization: Token …` (1.8+: `user:password`) */
  token?: string;
  /** informational for 2.x (the v1 endpoints address buckets through database/retention policy) */
  org?: string;
  bucket?: string;
  retentionPolicy?: string;
  /** durable local buffer while InfluxDB is away, e.g. `<dataDir>/influx-spill.db` */
  spillPath: string;
  /** spill bound in points; beyond it write() is refused and the points counted as dropped */
  maxSpillLines?: number;
  retentionMs?: number;
  /** try `CREATE DATABASE` at start (ignored where the server does not allow it) */
  createDatabase?: boolean;
  requestTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  timers?: Timers;
  random?: () => number;
  now?: () => number;
}

export const influxTelemetryDefaults = {
  database: 'steppelink', // when neither database nor bucket is given
  retentionMs: 90 * 24 * 3600_000, // same as the SQLite store: 90 days
  createDatabase: true, // 1.x: idempotent; 2.x/3.x refuse it and we carry on
  requestTimeoutMs: 10_000, // socket timeout per request; a hung InfluxDB counts as down after this
  pageRows: 10_000, // rows per track page: a 90-day track never lands in memory as one answer
  idsPerStatement: 200, // device ids per `latest` statement, keeps each InfluxQL statement small
  maxSpillLines: 20_000_000, // ≈ 3 GB on disk, days of a banner's telemetry while InfluxDB is away
};

export interface InfluxCloseReport extends CloseReport {
  /** points kept in the spill file; they replay at the next start */
  spilled: number;
  /** points that were neither written nor spilled at close (their write() rejected) */
  lost: number;
}

export interface InfluxTelemetryStore extends TelemetryStore {
  health(): TelemetryStoreHealth & { spilledTotal: number };
  close(): Promise<InfluxCloseReport>;
}

export function createInfluxTelemetryStore(options: InfluxTelemetryOptions): InfluxTelemetryStore {
  if (!options.url) throw new Error('createInfluxTelemetryStore: pass `url`, e.g. http://127.0.0.1:8086');
  if (!options.spillPath)
    throw new Error('createInfluxTelemetryStore: pass `spillPath`, e.g. <dataDir>/influx-spill.db');
  const database = options.database ?? options.bucket ?? influxTelemetryDefaults.database;
  const o = withDefaults(influxTelemetryDefaults, { ...options, database });
  const http: InfluxHttp = createInfluxHttp({
    url: o.url,
    database,
    token: o.token,
    retentionPolicy: o.retentionPolicy,
    requestTimeoutMs: o.requestTimeoutMs,
  });
  const q: InfluxQueryOptions = { pageRows: o.pageRows, idsPerStatement: o.idsPerStatement };
  let state: TelemetryStoreState = 'starting';
  let spill: Spill | undefined;
  let writer: InfluxWriter | undefined;
  let closeReport: InfluxCloseReport | undefined;
  let databaseReady = !o.createDatabase;
  let queryError: string | undefined;
  let reachable = true; // false after a failed start or query, until InfluxDB answers again

  /** CREATE DATABASE once reachable; a refusal (auth, 2.x/3.x) means "use what exists". */
  const ensureDatabase = async () => {
    if (databaseReady) return;
    try {
      await http.query(`CREATE DATABASE ${ident(database)}`);
    } catch (err) {
      const refused =
        err instanceof InfluxQueryError ||
        (err instanceof HttpError && err.statusCode < 500 && err.statusCode !== 429);
      if (!refused) throw err; // unreachable or overloaded: the writer tries again later
    }
    databaseReady = true;
  };

  const live = (what: string) => {
    if (state === 'starting' || state === 'closed' || !writer)
      throw new TelemetryStoreStateError(what, state);
  };
  const read = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    live(what);
    try {
      const r = await run();
      queryError = undefined;
      reachable = true;
      return r;
    } catch (err) {
      queryError = `${what}: ${(err as Error).message}`;
      if (classifyFailure(err).kind === 'retry' && !(err instanceof InfluxQueryError)) reachable = false;
      throw err;
    }
  };

  return {
    async start() {
      if (writer) return;
      spill = openSpill(o.spillPath, o.maxSpillLines);
      const s = spill;
      writer = createInfluxWriter(
        { ...o, backoff: withDefaults(backoffDefaults, o.backoff ?? {}) },
        {
          spill: s,
          timers: o.timers,
          random: o.random,
          now: o.now,
          send: async (lines, signal) => {
            await ensureDatabase();
            try {
              await http.write(lines, signal);
              reachable = true;
            } catch (err) {
              if (classifyFailure(err).databaseMissing) databaseReady = !o.createDatabase;
              throw err;
            }
          },
        },
      );
      state = 'up';
      try {
        await ensureDatabase();
      } catch (err) {
        queryError = `InfluxDB unreachable at start: ${(err as Error).message}`; // writes spill until it answers
        reachable = false;
      }
      writer.start();
    },

    write(batch) {
      if (!writer || state === 'closed')
        return Promise.reject(new TelemetryStoreStateError('write()', state));
      let lines: string[];
      try {
        lines = batchLines(batch);
      } catch (err) {
        const refused = new TelemetryRefusedError(
          `telemetry point not writable to InfluxDB: ${(err as Error).message}`,
        );
        writer.refuse(batchSize(batch), refused);
        return Promise.reject(refused);
      }
      return writer.write(lines);
    },

    track: (tq) => read('track()', () => queryTrack(http, tq, q)),
    latestPositions: (ids) => read('latestPositions()', () => queryLatestPositions(http, ids, q)),
    latestHealth: (ids) => read('latestHealth()', () => queryLatestHealth(http, ids, q)),
    grazing: (gq) => read('grazing()', () => queryGrazing(http, gq)),
    applyRetention: (now) =>
      read('applyRetention()', async () => {
        const cutoff = now - o.retentionMs;
        const deleted = await deleteOlderThan(http, cutoff);
        return { deleted: deleted + (spill?.removeOlderThan(cutoff) ?? 0) };
      }),

    health() {
      const w = writer?.stats();
      const st: TelemetryStoreState =
        state !== 'up' || !w
          ? state
          : w.refusing
            ? 'down'
            : w.mode === 'spilling' || !reachable
              ? 'degraded'
              : 'up';
      const h: TelemetryStoreHealth & { spilledTotal: number } = {
        adapter: 'influx',
        state: st,
        buffered: w?.buffered ?? 0,
        spilled: w?.spilled ?? 0,
        spilledTotal: w?.spilledTotal ?? 0,
        dropped: w?.dropped ?? 0,
        written: w?.written ?? 0,
      };
      const lastError = w?.lastError ?? queryError;
      if (lastError !== undefined) h.lastError = lastError;
      return h;
    },

    async close() {
      if (closeReport) return closeReport;
      state = 'closed';
      const { lost } = writer ? await writer.close() : { lost: 0 };
      const spilled = spill?.count ?? 0;
      spill?.close();
      closeReport = { unwritten: spilled + lost, spilled, lost };
      return closeReport;
    },
  };
}
