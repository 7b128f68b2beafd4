/**
 * The telemetry store port: time series of positions, heartbeats and grazing readings. Two
 * adapters implement it (`sqlite.ts`, the embedded default, which the hub runs in a worker thread
 * through `sqlite-worker.ts`; `influx.ts`, for production) and all three run the contract suite
 * in `contract.ts`. Times are epoch ms at the SOURCE, never arrival time.
 */

/** One GPS fix of a device (or of an animal, `subject`, when a collar relay reports for it). */
export interface PositionPoint {
  deviceId: string;
  subject?: string;
  t: number;
  lat: number;
  lon: number;
  alt?: number;
  hdop?: number;
  speed?: number;
  course?: number;
  msgId: string;
}

export interface HealthPoint {
  deviceId: string;
  t: number;
  power: 'mains' | 'battery' | 'solar';
  battery?: number;
  rssi?: number;
  outbox: number;
  uptimeS: number;
  clockOffsetMs?: number;
  agent: string;
  msgId: string;
}

export interface GrazingPoint {
  deviceId: string;
  t: number;
  type: 'collar' | 'water' | 'gate' | 'motion';
  sensorId: string;
  values: Record<string, number | boolean | string>;
  msgId: string;
}

export interface TelemetryBatch {
  positions?: PositionPoint[];
  health?: HealthPoint[];
  grazing?: GrazingPoint[];
}

export interface TrackQuery {
  deviceId: string;
  from: number;
  to: number;
  /** Only this animal's fixes (a collar relay reports several); all of the device's when absent. */
  subject?: string;
  /** Downsample evenly in time when the range holds more: see `thinBuckets` in `thin.ts`. */
  maxPoints?: number;
}

export interface GrazingQuery {
  deviceId: string;
  from: number;
  to: number;
}

export type TelemetryStoreState = 'starting' | 'up' | 'degraded' | 'down' | 'closed';

export interface TelemetryStoreHealth {
  adapter: 'sqlite' | 'influx';
  /**
   * up: writes reach the store; degraded: writes are safe but not (all) in the primary store
   * (InfluxDB unreachable, spilling/replaying locally); down: write() fails; closed: after close().
   */
  state: TelemetryStoreState;
  /** points in memory waiting to be written */
  buffered: number;
  /** points waiting in the local spill file for InfluxDB to come back (0 for SQLite) */
  spilled: number;
  /** points given to write() that were not stored, counted since start (write() rejected for them) */
  dropped: number;
  /** points written to the store since start */
  written: number;
  lastError?: string;
}

export interface CloseReport {
  /** points not in the store at close (see adapter docs: spilled points replay at next start) */
  unwritten: number;
}

export interface TelemetryStore {
  start(): Promise<void>;
  /**
   * Resolves when the batch is durable (in the store, or spilled to a local durable buffer).
   * The caller (ingest) keeps its own copy until then. Rejects when the batch could not be made
   * durable (counted in `dropped`). Writing the same point again (same deviceId + t [+ subject],
   * health: deviceId + t, grazing: deviceId + t + type + sensorId) overwrites it, never duplicates.
   */
  write(batch: TelemetryBatch): Promise<void>;
  /** ordered by t ascending, from and to inclusive */
  track(q: TrackQuery): Promise<PositionPoint[]>;
  /** one per device, latest by SOURCE time t, not arrival order */
  latestPositions(deviceIds?: string[]): Promise<PositionPoint[]>;
  latestHealth(deviceIds?: string[]): Promise<HealthPoint[]>;
  /** ordered by t ascending, from and to inclusive */
  grazing(q: GrazingQuery): Promise<GrazingPoint[]>;
  /** deletes points older than `now - retentionMs` (from options) */
  applyRetention(now: number): Promise<{ deleted: number }>;
  health(): TelemetryStoreHealth;
  close(): Promise<CloseReport>;
}

/** Thrown by a store used before start() or after close(). */
export class TelemetryStoreStateError extends Error {
  constructor(what: string, state: TelemetryStoreState) {
    super(`telemetry store: ${what} needs a started store (state is '${state}'); call start() first`);
    this.name = 'TelemetryStoreStateError';
  }
}

/** write() could not make the points durable: refused by the store for good, or no room left. */
export class TelemetryRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TelemetryRefusedError';
  }
}

/** Number of points in a batch. */
export const batchSize = (b: TelemetryBatch): number =>
  (b.positions?.length ?? 0) + (b.health?.length ?? 0) + (b.grazing?.length ?? 0);
