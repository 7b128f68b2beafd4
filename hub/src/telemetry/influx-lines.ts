import { Point } from '@influxdata/influxdb-client';
import type { InfluxSeries } from './influx-http.ts';
import type { GrazingPoint, HealthPoint, PositionPoint, TelemetryBatch } from './port.ts';

/**
 * The InfluxDB data model. One series per device (and subject / sensor), timestamp = source
 * time in ms, so a rewritten point lands on the same series and time and overwrites itself.
 *   pos,device=…[,subject=…] lat,lon[,alt,hdop,speed,course],msgId
 *   health,device=… power,outbox,uptimeS,agent,msgId[,battery,rssi,clockOffsetMs]
 *   grazing,device=…,type=…,sensor=… v_<name>…,msgId   (reading values prefixed: `time` is reserved)
 */
export const MEASUREMENT = { pos: 'pos', health: 'health', grazing: 'grazing' } as const;
const VALUE_PREFIX = 'v_';

const ms = {
  convertTime: (t: string | number | Date | undefined) => (t === undefined ? undefined : String(t)),
};

const optFloat = (p: Point, name: string, v: number | undefined) =>
  v === undefined ? p : p.floatField(name, v);

export function positionLine(x: PositionPoint): string {
  const p = new Point(MEASUREMENT.pos).tag('device', x.deviceId);
  if (x.subject) p.tag('subject', x.subject);
  p.floatField('lat', x.lat).floatField('lon', x.lon);
  optFloat(p, 'alt', x.alt);
  optFloat(p, 'hdop', x.hdop);
  optFloat(p, 'speed', x.speed);
  optFloat(p, 'course', x.course);
  return line(p.stringField('msgId', x.msgId).timestamp(x.t));
}

export function healthLine(x: HealthPoint): string {
  const p = new Point(MEASUREMENT.health)
    .tag('device', x.deviceId)
    .stringField('power', x.power)
    .floatField('outbox', x.outbox)
    .floatField('uptimeS', x.uptimeS)
    .stringField('agent', x.agent);
  optFloat(p, 'battery', x.battery);
  optFloat(p, 'rssi', x.rssi);
  optFloat(p, 'clockOffsetMs', x.clockOffsetMs);
  return line(p.stringField('msgId', x.msgId).timestamp(x.t));
}

export function grazingLine(x: GrazingPoint): string {
  const p = new Point(MEASUREMENT.grazing)
    .tag('device', x.deviceId)
    .tag('type', x.type)
    .tag('sensor', x.sensorId);
  for (const [k, v] of Object.entries(x.values)) {
    const name = VALUE_PREFIX + k;
    if (typeof v === 'number') p.floatField(name, v);
    else if (typeof v === 'boolean') p.booleanField(name, v);
    else p.stringField(name, v);
  }
  return line(p.stringField('msgId', x.msgId).timestamp(x.t));
}

function line(p: Point): string {
  const l = p.toLineProtocol(ms);
  if (!l) throw new Error('InfluxDB point without fields; every telemetry point carries msgId');
  return l;
}

export const batchLines = (b: TelemetryBatch): string[] => [
  ...(b.positions ?? []).map(positionLine),
  ...(b.health ?? []).map(healthLine),
  ...(b.grazing ?? []).map(grazingLine),
];

/** Rows of InfluxQL JSON series as objects: tags of the group merged with the columns. */
export function seriesRows(series: InfluxSeries[] | undefined): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const s of series ?? []) {
    for (const v of s.values) {
      const row: Record<string, unknown> = { ...s.tags };
      s.columns.forEach((c, i) => {
        if (v[i] !== null && v[i] !== undefined) row[c] = v[i];
      });
      rows.push(row);
    }
  }
  return rows;
}

const num = (r: Record<string, unknown>, k: string): number | undefined =>
  typeof r[k] === 'number' ? (r[k] as number) : undefined;
const str = (r: Record<string, unknown>, k: string): string => String(r[k] ?? '');

export function positionFromRow(r: Record<string, unknown>): PositionPoint {
  const p: PositionPoint = {
    deviceId: str(r, 'device'),
    t: num(r, 'time')!,
    lat: num(r, 'lat')!,
    lon: num(r, 'lon')!,
    msgId: str(r, 'msgId'),
  };
  if (typeof r.subject === 'string' && r.subject !== '') p.subject = r.subject;
  for (const k of ['alt', 'hdop', 'speed', 'course'] as const) {
    const v = num(r, k);
    if (v !== undefined) p[k] = v;
  }
  return p;
}

export function healthFromRow(r: Record<string, unknown>): HealthPoint {
  const h: HealthPoint = {
    deviceId: str(r, 'device'),
    t: num(r, 'time')!,
    power: str(r, 'power') as HealthPoint['power'],
    outbox: num(r, 'outbox') ?? 0,
    uptimeS: num(r, 'uptimeS') ?? 0,
    agent: str(r, 'agent'),
    msgId: str(r, 'msgId'),
  };
  for (const k of ['battery', 'rssi', 'clockOffsetMs'] as const) {
    const v = num(r, k);
    if (v !== undefined) h[k] = v;
  }
  return h;
}

export function grazingFromRow(r: Record<string, unknown>): GrazingPoint {
  const values: GrazingPoint['values'] = {};
  for (const [k, v] of Object.entries(r)) {
    if (
      k.startsWith(VALUE_PREFIX) &&
      (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string')
    ) {
      values[k.slice(VALUE_PREFIX.length)] = v;
    }
  }
  return {
    deviceId: str(r, 'device'),
    t: num(r, 'time')!,
    type: str(r, 'type') as GrazingPoint['type'],
    sensorId: str(r, 'sensor'),
    values,
    msgId: str(r, 'msgId'),
  };
}
