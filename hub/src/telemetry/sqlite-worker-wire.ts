import type {
  GrazingPoint,
  HealthPoint,
  PositionPoint,
  TelemetryBatch,
  TelemetryStoreHealth,
} from './port.ts';
import { TelemetryRefusedError, TelemetryStoreStateError } from './port.ts';

/**
 * What the main thread and the SQLite worker (sqlite-worker.ts, sqlite-worker-main.ts) say to
 * each other. A write's positions and heartbeats travel packed: every number in one Float64Array
 * and every string once in a table, referenced from one Uint32Array, both buffers transferred.
 * Measured on the ingest's own batches (bench/ingest, ~700-2000 points each), packing plus
 * postMessage costs the main thread ≈ 0.2-0.6 µs of CPU per point against ≈ 1.1 µs for the
 * structured clone of the point objects (the in-thread store: ≈ 6-8 µs per point). Grazing
 * points (a free-form `values` record each) travel as they are.
 */

export type Op =
  | 'start'
  | 'write'
  | 'track'
  | 'latestPositions'
  | 'latestHealth'
  | 'grazing'
  | 'applyRetention'
  | 'close';

export interface Request {
  id: number;
  op: Op;
  /** the call's argument; for write: the batch when it could not be packed */
  arg?: unknown;
  packed?: PackedBatch;
}

export interface WireError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

export type Reply = { id: number; health: TelemetryStoreHealth } & (
  | { ok: true; value: unknown }
  | { ok: false; error: WireError }
);

export interface PackedBatch {
  /** every distinct string of the batch once */
  strings: string[];
  /** positions: device, subject (NONE: absent), msgId; then heartbeats: device, power, agent, msgId */
  idx: Uint32Array;
  /** positions: t, lat, lon, alt, hdop, speed, course; then heartbeats: t, battery, rssi, outbox, uptimeS, clockOffsetMs. NaN: absent */
  num: Float64Array;
  positions: number;
  health: number;
  grazing?: GrazingPoint[];
}

const NONE = 0xffff_ffff;
const POS_IDX = 3;
const POS_NUM = 7;
const HB_IDX = 4;
const HB_NUM = 6;

class Unpackable extends Error {}
const unpackable = new Unpackable();

/** A number the packed form carries as is (NaN stands for absent, so a NaN given goes the slow way). */
const req = (x: unknown): number => {
  if (typeof x !== 'number' || Number.isNaN(x)) throw unpackable;
  return x;
};
const opt = (x: unknown): number => (x === undefined ? Number.NaN : req(x));

/**
 * The batch packed, with the buffers to transfer; undefined when a point holds something the
 * packed form cannot carry exactly (a missing or non-number field, NaN, a non-string id). Such
 * a batch is sent as it is, so the store sees and refuses exactly what the in-thread store would.
 */
export function packBatch(b: TelemetryBatch): { packed: PackedBatch; transfer: ArrayBuffer[] } | undefined {
  const pos = b.positions ?? [];
  const hb = b.health ?? [];
  const table = new Map<string, number>();
  const strings: string[] = [];
  const s = (x: unknown): number => {
    if (typeof x !== 'string') throw unpackable;
    let k = table.get(x);
    if (k === undefined) {
      k = strings.length;
      strings.push(x);
      table.set(x, k);
    }
    return k;
  };
  const idx = new Uint32Array(pos.length * POS_IDX + hb.length * HB_IDX);
  const num = new Float64Array(pos.length * POS_NUM + hb.length * HB_NUM);
  let i = 0;
  let j = 0;
  try {
    for (const p of pos) {
      idx[i++] = s(p.deviceId);
      idx[i++] = p.subject === undefined ? NONE : s(p.subject);
      idx[i++] = s(p.msgId);
      num[j++] = req(p.t);
      num[j++] = req(p.lat);
      num[j++] = req(p.lon);
      num[j++] = opt(p.alt);
      num[j++] = opt(p.hdop);
      num[j++] = opt(p.speed);
      num[j++] = opt(p.course);
    }
    for (const h of hb) {
      idx[i++] = s(h.deviceId);
      idx[i++] = s(h.power);
      idx[i++] = s(h.agent);
      idx[i++] = s(h.msgId);
      num[j++] = req(h.t);
      num[j++] = opt(h.battery);
      num[j++] = opt(h.rssi);
      num[j++] = req(h.outbox);
      num[j++] = req(h.uptimeS);
      num[j++] = opt(h.clockOffsetMs);
    }
  } catch {
    return undefined; // unpackable, or not even a batch: the worker's store throws what it would in-thread
  }
  const packed: PackedBatch = { strings, idx, num, positions: pos.length, health: hb.length };
  if (b.grazing?.length) packed.grazing = b.grazing;
  return { packed, transfer: [idx.buffer as ArrayBuffer, num.buffer as ArrayBuffer] };
}

/** The points again, shaped as the ingest makes them (optional fields absent, not undefined). */
export function unpackBatch(p: PackedBatch): TelemetryBatch {
  const { strings, idx, num } = p;
  const str = (k: number): string => strings[k]!;
  let i = 0;
  let j = 0;
  const positions: PositionPoint[] = new Array(p.positions);
  for (let n = 0; n < p.positions; n++) {
    const deviceId = str(idx[i++]!);
    const sub = idx[i++]!;
    const pt: PositionPoint = {
      deviceId,
      t: num[j]!,
      lat: num[j + 1]!,
      lon: num[j + 2]!,
      msgId: str(idx[i++]!),
    };
    if (sub !== NONE) pt.subject = str(sub);
    const alt = num[j + 3]!;
    const hdop = num[j + 4]!;
    const speed = num[j + 5]!;
    const course = num[j + 6]!;
    if (!Number.isNaN(alt)) pt.alt = alt;
    if (!Number.isNaN(hdop)) pt.hdop = hdop;
    if (!Number.isNaN(speed)) pt.speed = speed;
    if (!Number.isNaN(course)) pt.course = course;
    positions[n] = pt;
    j += POS_NUM;
  }
  const health: HealthPoint[] = new Array(p.health);
  for (let n = 0; n < p.health; n++) {
    const h: HealthPoint = {
      deviceId: str(idx[i]!),
      t: num[j]!,
      power: str(idx[i + 1]!) as HealthPoint['power'],
      outbox: num[j + 3]!,
      uptimeS: num[j + 4]!,
      agent: str(idx[i + 2]!),
      msgId: str(idx[i + 3]!),
    };
    const battery = num[j + 1]!;
    const rssi = num[j + 2]!;
    const clockOffsetMs = num[j + 5]!;
    if (!Number.isNaN(battery)) h.battery = battery;
    if (!Number.isNaN(rssi)) h.rssi = rssi;
    if (!Number.isNaN(clockOffsetMs)) h.clockOffsetMs = clockOffsetMs;
    health[n] = h;
    i += HB_IDX;
    j += HB_NUM;
  }
  const b: TelemetryBatch = {};
  if (positions.length) b.positions = positions;
  if (health.length) b.health = health;
  if (p.grazing) b.grazing = p.grazing;
  return b;
}

export function toWireError(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const w: WireError = { name: err.name, message: err.message };
  if (err.stack !== undefined) w.stack = err.stack;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') w.code = code;
  return w;
}

const KNOWN: Record<string, { prototype: Error }> = {
  TelemetryStoreStateError,
  TelemetryRefusedError,
  RangeError,
  TypeError,
};

/** The worker's error in this thread: same name, message and code (SQLITE_…), the worker's stack. */
export function fromWireError(w: WireError): Error {
  const e = new Error(w.message);
  const proto = KNOWN[w.name]?.prototype;
  if (proto) Object.setPrototypeOf(e, proto);
  if (e.name !== w.name) e.name = w.name;
  if (w.code !== undefined) (e as Error & { code?: string }).code = w.code;
  if (w.stack !== undefined) e.stack = `${w.stack}\n    at (telemetry worker thread)`;
  return e;
}
