import { fixtures, validate } from '@steppelink/protocols';
import { describe, expect, it } from 'vitest';
import { TelemetryCollector } from './telemetry-map.ts';

const decoded = <K extends 'pos' | 'hb' | 'grazing'>(kind: K, i = 0) => {
  const r = validate(kind, fixtures[kind][i]);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('TelemetryCollector', () => {
  it('expands a patrol batch into fixes at absolute source times, dropping nulls', () => {
    const c = new TelemetryCollector();
    c.pos('trk-patrol-150825-03', decoded('pos'));
    expect(c.positions).toHaveLength(3);
    expect(c.positions[2]).toEqual({
      deviceId: 'trk-patrol-150825-03',
      t: 1_764_028_800_000 + 20_000,
      lat: 42.41066,
      lon: 106.87679,
      hdop: 1.1,
      speed: 11,
      course: 86.2,
      msgId: 'trk-patrol-150825-03:pos:881',
    });
  });
  it('keeps the animal a collar relay reports for as the subject', () => {
    const c = new TelemetryCollector();
    c.pos('col-150824-104-0007-a', decoded('pos', 1));
    expect(c.positions[0]).toMatchObject({ subject: 'herd-0007-sheep', lat: 42.1302, lon: 108.4511 });
  });
  it('maps a heartbeat to a health point at its source time', () => {
    const c = new TelemetryCollector();
    c.hb('trk-patrol-150825-03', decoded('hb', 1));
    expect(c.health[0]).toEqual({
      deviceId: 'trk-patrol-150825-03',
      t: 1_764_028_800_000,
      power: 'battery',
      battery: 18,
      outbox: 214,
      uptimeS: 3_600,
      agent: '0.1.0',
      msgId: 'trk-patrol-150825-03:hb:77',
    });
  });
  it('turns grazing readings into points, and a collar’s position into the animal’s fix', () => {
    const c = new TelemetryCollector();
    c.grazingReadings('stb-150824-104-0007', decoded('grazing'));
    expect(c.grazing.map((g) => [g.type, g.sensorId])).toEqual([
      ['collar', 'col-0007-a'],
      ['water', 'wp-0007-1'],
      ['gate', 'gate-0007'],
      ['motion', 'cam-0007'],
    ]);
    expect(c.grazing[1]?.values).toEqual({ levelPct: 42, frozen: false });
    expect(c.positions).toEqual([
      {
        deviceId: 'stb-150824-104-0007',
        subject: 'col-0007-a',
        t: 1_764_028_800_000,
        lat: 42.1302,
        lon: 108.4511,
        msgId: 'stb-150824-104-0007:grz:19',
      },
    ]);
    expect(c.size).toBe(5);
    expect(Object.keys(c.batch())).toEqual(['positions', 'grazing']);
  });
});
