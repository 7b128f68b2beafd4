import { describe, expect, it } from 'vitest';
import { parseSensorLine } from './sensor-line.ts';

const NOW = 1_764_028_800_000;

describe('parseSensorLine', () => {
  it('parses each sensor type of the line protocol', () => {
    expect(parseSensorLine('water wp-0007-1 level=42 frozen=false', NOW)).toEqual({
      ok: true,
      reading: { type: 'water', pointId: 'wp-0007-1', t: NOW, levelPct: 42, frozen: false },
    });
    expect(parseSensorLine('gate gate-0007 count=312 dir=in t=1764028801000', NOW)).toMatchObject({
      ok: true,
      reading: { type: 'gate', headCount: 312, direction: 'in', t: 1_764_028_801_000 },
    });
    expect(
      parseSensorLine('collar col-0007-a battery=71 activity=38 lat=42.1302 lon=108.4511', NOW),
    ).toMatchObject({
      ok: true,
      reading: { type: 'collar', pos: { lat: 42.1302, lon: 108.4511 } },
    });
    expect(parseSensorLine('motion cam-0007 events=2 label=animal', NOW)).toMatchObject({ ok: true });
  });

  it('accepts a JSON reading', () => {
    const r = parseSensorLine('{"type":"water","pointId":"wp-1","levelPct":12.5}', NOW);
    expect(r).toMatchObject({ ok: true, reading: { t: NOW, levelPct: 12.5 } });
  });

  it('explains what is wrong with a bad line', () => {
    const reason = (l: string) => {
      const r = parseSensorLine(l, NOW);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason('')).toBe('empty line');
    expect(reason('radar r1 x=1')).toMatch(/unknown sensor type "radar"/);
    expect(reason('water level=4')).toMatch(/needs a sensor id/);
    expect(reason('water wp-1 depth=4')).toMatch(/unknown key "depth" for water; known: level/);
    expect(reason('water wp-1 level=140')).toMatch(/^levelPct: /);
    expect(reason('gate g1 count=12 dir=sideways')).toMatch(/^direction: /);
    expect(reason('water wp-1 level')).toMatch(/key=value/);
    expect(reason('{"type":')).toMatch(/not JSON/);
    expect(reason('water wp-1 level=40 t=1764028801')).toMatch(/^t: .*seconds/);
  });
});
