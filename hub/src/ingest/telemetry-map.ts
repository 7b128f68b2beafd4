import {
  expandFixes,
  type Grazing,
  type GrazingReading,
  type Heartbeat,
  type PosBatch,
} from '@steppelink/protocols';
import type { GrazingPoint, HealthPoint, PositionPoint, TelemetryBatch } from '../telemetry/port.ts';

/** Collects the telemetry points of a processor batch, in acceptance order. */
export class TelemetryCollector {
  positions: PositionPoint[] = [];
  health: HealthPoint[] = [];
  grazing: GrazingPoint[] = [];

  get size(): number {
    return this.positions.length + this.health.length + this.grazing.length;
  }

  batch(): TelemetryBatch {
    const b: TelemetryBatch = {};
    if (this.positions.length) b.positions = this.positions;
    if (this.health.length) b.health = this.health;
    if (this.grazing.length) b.grazing = this.grazing;
    return b;
  }

  pos(deviceId: string, m: PosBatch): void {
    for (const f of expandFixes(m)) {
      const p: PositionPoint = { deviceId, t: f.t, lat: f.lat, lon: f.lon, msgId: m.id };
      if (m.subject !== undefined) p.subject = m.subject;
      if (f.alt !== undefined) p.alt = f.alt;
      if (f.hdop !== undefined) p.hdop = f.hdop;
      if (f.speed !== undefined) p.speed = f.speed;
      if (f.course !== undefined) p.course = f.course;
      this.positions.push(p);
    }
  }

  hb(deviceId: string, m: Heartbeat): void {
    const h: HealthPoint = {
      deviceId,
      t: m.ts,
      power: m.power,
      outbox: m.outbox,
      uptimeS: m.uptimeS,
      agent: m.agent,
      msgId: m.id,
    };
    if (m.battery !== undefined) h.battery = m.battery;
    if (m.rssi !== undefined) h.rssi = m.rssi;
    if (m.clockOffsetMs !== undefined) h.clockOffsetMs = m.clockOffsetMs;
    this.health.push(h);
  }

  /** Each reading is a grazing point; a collar reading with a position is also a fix of that animal. */
  grazingReadings(deviceId: string, m: Grazing): void {
    for (const r of m.readings) {
      const { sensorId, values } = split(r);
      this.grazing.push({ deviceId, t: r.t, type: r.type, sensorId, values, msgId: m.id });
      if (r.type === 'collar' && r.pos) {
        this.positions.push({
          deviceId,
          subject: r.collarId,
          t: r.t,
          lat: r.pos.lat,
          lon: r.pos.lon,
          msgId: m.id,
        });
      }
    }
  }
}

function split(r: GrazingReading): { sensorId: string; values: GrazingPoint['values'] } {
  switch (r.type) {
    case 'collar': {
      const values: GrazingPoint['values'] = { battery: r.battery, activity: r.activity };
      if (r.pos) {
        values.lat = r.pos.lat;
        values.lon = r.pos.lon;
      }
      return { sensorId: r.collarId, values };
    }
    case 'water': {
      const values: GrazingPoint['values'] = { levelPct: r.levelPct };
      if (r.frozen !== undefined) values.frozen = r.frozen;
      return { sensorId: r.pointId, values };
    }
    case 'gate':
      return { sensorId: r.gateId, values: { headCount: r.headCount, direction: r.direction } };
    case 'motion':
      return { sensorId: r.cameraId, values: { events: r.events, label: r.label } };
  }
}
