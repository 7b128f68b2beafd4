import type { GrazingPoint, HealthPoint, PositionPoint } from './port.ts';

/** Rows as SQLite returns them, and their mapping to and from the port's points. */
export interface PosRow {
  device: string;
  t: number;
  subject: string;
  lat: number;
  lon: number;
  alt: number | null;
  hdop: number | null;
  speed: number | null;
  course: number | null;
  msg_id: string;
}

export interface HealthRow {
  device: string;
  t: number;
  power: HealthPoint['power'];
  battery: number | null;
  rssi: number | null;
  outbox: number;
  uptime_s: number;
  clock_offset_ms: number | null;
  agent: string;
  msg_id: string;
}

export interface GrazingRow {
  device: string;
  t: number;
  type: GrazingPoint['type'];
  sensor: string;
  vals: string;
  msg_id: string;
}

type Param = string | number | null;
const n = (x: number | undefined): number | null => (x === undefined ? null : x);

export const posParams = (p: PositionPoint): Param[] => [
  p.deviceId,
  p.t,
  p.subject ?? '',
  p.lat,
  p.lon,
  n(p.alt),
  n(p.hdop),
  n(p.speed),
  n(p.course),
  p.msgId,
];

export const healthParams = (h: HealthPoint): Param[] => [
  h.deviceId,
  h.t,
  h.power,
  n(h.battery),
  n(h.rssi),
  h.outbox,
  h.uptimeS,
  n(h.clockOffsetMs),
  h.agent,
  h.msgId,
];

export const grazingParams = (g: GrazingPoint): Param[] => [
  g.deviceId,
  g.t,
  g.type,
  g.sensorId,
  JSON.stringify(g.values),
  g.msgId,
];

export function posFromRow(r: PosRow): PositionPoint {
  const p: PositionPoint = { deviceId: r.device, t: r.t, lat: r.lat, lon: r.lon, msgId: r.msg_id };
  if (r.subject !== '') p.subject = r.subject;
  if (r.alt !== null) p.alt = r.alt;
  if (r.hdop !== null) p.hdop = r.hdop;
  if (r.speed !== null) p.speed = r.speed;
  if (r.course !== null) p.course = r.course;
  return p;
}

export function healthFromRow(r: HealthRow): HealthPoint {
  const h: HealthPoint = {
    deviceId: r.device,
    t: r.t,
    power: r.power,
    outbox: r.outbox,
    uptimeS: r.uptime_s,
    agent: r.agent,
    msgId: r.msg_id,
  };
  if (r.battery !== null) h.battery = r.battery;
  if (r.rssi !== null) h.rssi = r.rssi;
  if (r.clock_offset_ms !== null) h.clockOffsetMs = r.clock_offset_ms;
  return h;
}

export const grazingFromRow = (r: GrazingRow): GrazingPoint => ({
  deviceId: r.device,
  t: r.t,
  type: r.type,
  sensorId: r.sensor,
  values: JSON.parse(r.vals) as GrazingPoint['values'],
  msgId: r.msg_id,
});

/**
 * The newest point per device of a batch, so a batch of 500 fixes from one tracker upserts the
 * latest row once. Ties on t go to `tieBreak` (greater wins), matching the SQL upsert.
 */
export function newestPerDevice<T extends { deviceId: string; t: number }>(
  points: readonly T[],
  tieBreak: (p: T) => string = () => '',
): T[] {
  const newest = new Map<string, T>();
  for (const p of points) {
    const cur = newest.get(p.deviceId);
    if (!cur || p.t > cur.t || (p.t === cur.t && tieBreak(p) >= tieBreak(cur))) newest.set(p.deviceId, p);
  }
  return [...newest.values()];
}
