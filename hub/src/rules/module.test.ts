import { describe, expect, it } from 'vitest';
import type { AlertInput } from '../incidents/port.ts';
import { createRulesModule } from './module.ts';
import {
  accepted,
  demo,
  FakeClock,
  heartbeat,
  MIN,
  RecordingSink,
  settle,
  T0,
  testContext,
  testRegistry,
  track,
} from './testing.ts';

const RELAY = 'col-150824-104-0007-a';
const OUT: [number, number] = [108.45, 42.1];
const IN: [number, number] = [108.45, 42.13];

function start(reg = testRegistry(), sink = new RecordingSink(), t0 = T0) {
  const clock = new FakeClock(t0);
  const rules = createRulesModule({ sink, clock, zones: demo() });
  const ctx = testContext({ clock, ...reg });
  rules.start(ctx);
  /** A relay batch for one animal, arriving when its last fix was taken. */
  const pos = async (subject: string, points: [number, number][], t: number, stepMs = 2 * MIN) => {
    const fixes = track(t, stepMs, points);
    clock.set(Math.max(clock.now(), fixes.at(-1)!.t));
    const msg = {
      v: 1 as const,
      id: `m${t}${subject}`,
      ts: clock.now(),
      subject,
      t0: t,
      fixes: fixes.map(
        (f) =>
          [f.t - t, f.lat, f.lon, null, null, null, null] as [number, number, number, null, null, null, null],
      ),
    };
    await rules.handlers!.pos!(accepted('pos', RELAY, msg, clock.now()));
  };
  return { clock, rules, ctx, sink, reg, pos };
}
const n = (count: number, p: [number, number]) => Array.from({ length: count }, () => p);

describe('the rules module', () => {
  it('keeps open alerts across a restart: no second page while still out, a clear once back', async () => {
    const first = start();
    await first.pos('camel-5', n(7, OUT), T0);
    expect(first.sink.of('stray')).toHaveLength(1);
    first.rules.close();

    const sink = new RecordingSink();
    const second = start(first.reg, sink, T0 + 30 * MIN);
    await second.pos('camel-5', n(5, OUT), T0 + 30 * MIN);
    expect(sink.raised).toHaveLength(0);
    await second.pos('camel-5', n(6, IN), T0 + 40 * MIN);
    expect(sink.clearsOf('stray')).toEqual([{ key: 'stray:hh-150824-104-0007:camel-5', at: T0 + 50 * MIN }]);
  });

  it('a failed delivery is retried at the next observation, and health says degraded', async () => {
    const sink = new RecordingSink();
    let failures = 1;
    const flaky = {
      raise: async (a: AlertInput) => {
        if (failures-- > 0) throw new Error('incident store busy');
        return sink.raise(a);
      },
      clear: sink.clear.bind(sink),
    };
    const { rules, pos } = start(testRegistry(), flaky as unknown as RecordingSink);
    await pos('camel-6', n(6, OUT), T0);
    expect(sink.raised).toHaveLength(0);
    expect(rules.health!()).toMatchObject({ state: 'degraded', sinkErrors: 1 });
    await pos('camel-6', n(1, OUT), T0 + 12 * MIN);
    expect(sink.of('stray')).toHaveLength(1);
    expect(sink.of('stray')[0]!.at).toBe(T0 + 12 * MIN);
  });

  it('takes collar positions from grazing readings, and device presence as a sign of life', async () => {
    const { rules, sink, clock, ctx } = start();
    const readings = track(T0, 2 * MIN, n(7, OUT)).map((f) => ({
      type: 'collar' as const,
      t: f.t,
      collarId: 'collar-88',
      battery: 80,
      activity: 30,
      pos: { lat: f.lat, lon: f.lon },
    }));
    clock.set(T0 + 12 * MIN);
    await rules.handlers!.grazing!(
      accepted('grazing', RELAY, { v: 1, id: 'g', ts: clock.now(), readings }, clock.now()),
    );
    expect(sink.of('stray').map((a) => a.key)).toEqual(['stray:hh-150824-104-0007:collar-88']);

    await rules.handlers!.hb!(
      accepted('hb', 'stb-150825-201-0022', heartbeat(clock.now(), 'mains'), clock.now()),
    );
    await clock.advance(45 * MIN);
    await settle();
    expect(sink.of('device-offline').map((a) => a.deviceId)).toEqual(['stb-150825-201-0022']);
    ctx.events.emit('device.presence', { deviceId: 'stb-150825-201-0022', online: true, at: clock.now() });
    await settle();
    expect(sink.clearsOf('device-offline')).toHaveLength(1);
  });

  it('reports its health and refuses bad options with every issue named', () => {
    const { rules } = start();
    expect(rules.health!()).toMatchObject({ state: 'up', zones: 5, borderSegments: 369, pastures: 3 });
    expect(() =>
      createRulesModule({ sink: new RecordingSink(), config: { borderBufferM: -1, nope: 1 } }),
    ).toThrow(
      /rules config is invalid: .*nope.*borderBufferM|rules config is invalid: .*borderBufferM.*nope/,
    );
    expect(() =>
      createRulesModule({ sink: new RecordingSink(), zones: { type: 'FeatureCollection', features: [{}] } }),
    ).toThrow(/zones are invalid: features\.0\./);
  });
});
