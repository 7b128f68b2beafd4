import { describe, expect, it } from 'vitest';
import { createRulesModule, type RulesModule } from './module.ts';
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

const HOUR = 60 * MIN;
const GACHA = '150824-104-007'; // Bayan Hatai gacha: four set-top boxes
const BOXES = ['stb-150824-104-0007', 'stb-150824-104-0008', 'stb-150824-104-0009', 'stb-150824-104-0002'];
const TRACKER = 'trk-patrol-150825-03';
const RELAY = 'col-150824-104-0007-a';

/** The rules module on the small league with a fake clock driving its periodic tick. */
function started(opts: { t0?: number; reg?: ReturnType<typeof testRegistry> } = {}) {
  const clock = new FakeClock(opts.t0 ?? T0);
  const sink = new RecordingSink();
  const reg = opts.reg ?? testRegistry();
  const rules: RulesModule = createRulesModule({ sink, clock, zones: demo() });
  const ctx = testContext({ clock, ...reg });
  rules.start(ctx);
  const powerOf = new Map<string, 'mains' | 'battery' | 'solar'>();
  const hb = async (deviceId: string, power?: 'mains' | 'battery' | 'solar', battery?: number) => {
    const p = power ?? powerOf.get(deviceId) ?? 'mains';
    powerOf.set(deviceId, p);
    await rules.handlers!.hb!(accepted('hb', deviceId, heartbeat(clock.now(), p, battery), clock.now()));
  };
  /** Advances the clock, ticking every 30 s, heartbeating `alive` (on their last power source) every 5 min on the way. */
  const advance = async (ms: number, alive: string[] = []) => {
    for (let left = ms; left > 0; left -= 5 * MIN) {
      await clock.advance(Math.min(5 * MIN, left));
      for (const d of alive) await hb(d);
      await settle();
    }
  };
  return { clock, sink, rules, ctx, hb, advance, reg };
}

describe('offline detection (fake clock, periodic tick)', () => {
  it('a set-top box silent for 30 min goes offline (low, to its grid) and clears when heard again', async () => {
    // Boxes alone are reported once the power-cut window (10 min) passed too: others may still join a gacha-wide outage.
    const { sink, hb, advance } = started();
    await hb(BOXES[0]!);
    await advance(39 * MIN);
    expect(sink.raised).toHaveLength(0);
    await advance(2 * MIN);
    expect(sink.raised).toHaveLength(1);
    expect(sink.raised[0]).toMatchObject({
      category: 'device-offline',
      severity: 'low',
      unitId: '150824-104-007-03',
      householdId: 'hh-150824-104-0007',
      deviceId: BOXES[0],
      key: `device-offline:${BOXES[0]}`,
    });
    await advance(60 * MIN);
    expect(sink.raised).toHaveLength(1); // one alert, however long the silence
    await hb(BOXES[0]!);
    await settle();
    expect(sink.clearsOf('device-offline')).toEqual([
      { key: `device-offline:${BOXES[0]}`, at: T0 + 101 * MIN },
    ]);
  });

  it('kind-specific silences: a collar relay after 2 h; a tracker after 10 min, but only on patrol', async () => {
    const { sink, hb, advance, rules, clock } = started();
    await hb(RELAY, 'solar');
    const drive = track(
      T0,
      30_000,
      Array.from({ length: 10 }, (_, i): [number, number] => [106.6 + i * 0.0015, 42.58]),
    );
    await rules.handlers!.pos!(
      accepted(
        'pos',
        TRACKER,
        {
          v: 1,
          id: 'p1',
          ts: T0,
          t0: T0,
          fixes: drive.map((f) => [f.t - T0, f.lat, f.lon, null, null, null, null]),
        },
        clock.now(),
      ),
    );
    await advance(16 * MIN);
    expect(sink.raised.map((a) => [a.category, a.deviceId, a.severity, a.unitId, a.alsoNotify])).toEqual([
      ['device-offline', TRACKER, 'high', '150825-201', ['150825']],
    ]);
    await advance(HOUR + 40 * MIN);
    expect(sink.raised).toHaveLength(1);
    await advance(10 * MIN);
    expect(sink.of('device-offline').map((a) => a.deviceId)).toEqual([TRACKER, RELAY]);
  });

  it('a tracker switched off after standing still (not on patrol) is not reported', async () => {
    const { sink, rules, clock, advance } = started();
    await rules.handlers!.pos!(
      accepted(
        'pos',
        TRACKER,
        { v: 1, id: 'p2', ts: T0, t0: T0, fixes: [[0, 42.598, 106.62, null, null, null, null]] },
        clock.now(),
      ),
    );
    await advance(2 * HOUR);
    expect(sink.raised).toHaveLength(0);
  });

  it('after a hub restart, silence counts from the restart; an open offline alert clears when the box is back', async () => {
    const first = started();
    await first.hb(BOXES[0]!);
    await first.hb(BOXES[1]!);
    await first.advance(20 * MIN, [BOXES[1]!]);
    await first.advance(25 * MIN);
    expect(first.sink.of('device-offline').map((a) => a.deviceId)).toEqual([BOXES[0]]);
    first.rules.close();

    const second = started({ t0: T0 + 3 * HOUR, reg: first.reg });
    await second.advance(39 * MIN);
    expect(second.sink.raised).toHaveLength(0); // box 2 was silent while the hub was down: not its fault
    await second.advance(2 * MIN);
    expect(second.sink.of('device-offline').map((a) => a.deviceId)).toEqual([BOXES[1]]); // box 1's alert is still open
    await second.hb(BOXES[0]!);
    await settle();
    expect(second.sink.clearsOf('device-offline').map((c) => c.key)).toEqual([`device-offline:${BOXES[0]}`]);
  });
});

describe('batteries and mains power', () => {
  it('low battery with hysteresis (tracker: medium), and per collar through its relay', async () => {
    const { sink, hb, rules, clock } = started();
    for (const pct of [25, 19, 22, 28, 19]) await hb(TRACKER, 'battery', pct);
    expect(sink.of('low-battery')).toHaveLength(1);
    expect(sink.of('low-battery')[0]).toMatchObject({
      severity: 'medium',
      unitId: '150825-201',
      key: `low-battery:${TRACKER}`,
    });
    await hb(TRACKER, 'battery', 31);
    await settle();
    expect(sink.clearsOf('low-battery')).toHaveLength(1);

    const reading = {
      type: 'collar' as const,
      t: clock.now(),
      collarId: 'camel-09',
      battery: 12,
      activity: 40,
    };
    await rules.handlers!.grazing!(
      accepted('grazing', RELAY, { v: 1, id: 'g1', ts: clock.now(), readings: [reading] }, clock.now()),
    );
    expect(sink.of('low-battery')[1]).toMatchObject({
      severity: 'low',
      unitId: '150824-104-007-03',
      key: `low-battery:${RELAY}:camel-09`,
      householdId: 'hh-150824-104-0007',
    });
  });

  it('three boxes of one gacha switching to battery within 10 min: one power-cut alert, no per-box alerts', async () => {
    const { sink, hb, advance } = started();
    for (const b of BOXES) await hb(b);
    for (const b of BOXES.slice(0, 3)) {
      await advance(3 * MIN, BOXES.slice(3));
      await hb(b, 'battery', 90);
    }
    await settle();
    expect(sink.raised.map((a) => a.category)).toEqual(['power-cut']);
    expect(sink.raised[0]).toMatchObject({ severity: 'medium', unitId: GACHA, key: `power-cut:${GACHA}` });
    expect(sink.raised[0]!.details?.devices).toEqual(BOXES.slice(0, 3).sort());
    await advance(30 * MIN, BOXES);
    expect(sink.raised.map((a) => a.category)).toEqual(['power-cut']);
    await hb(BOXES[0]!, 'mains');
    await hb(BOXES[1]!, 'mains');
    await settle();
    expect(sink.clearsOf('power-cut')).toHaveLength(1);
  });

  it('one box on battery: an on-battery alert (low) after 15 min, cleared when mains is back', async () => {
    const { sink, hb, advance } = started();
    await hb('stb-150825-201-0021');
    await hb('stb-150825-201-0021', 'battery', 95);
    await advance(14 * MIN, ['stb-150825-201-0021']);
    expect(sink.raised).toHaveLength(0);
    await advance(2 * MIN);
    expect(sink.raised[0]).toMatchObject({
      category: 'on-battery',
      severity: 'low',
      unitId: '150825-201-003-02',
    });
    await hb('stb-150825-201-0021', 'mains');
    await settle();
    expect(sink.clearsOf('on-battery')).toHaveLength(1);
  });
});

describe('many boxes of one gacha going silent together', () => {
  it('raises one gacha-offline alert instead of one per box, and clears as they come back', async () => {
    const { sink, hb, advance } = started();
    for (const b of BOXES) await hb(b);
    await advance(3 * MIN, BOXES.slice(1));
    await advance(3 * MIN, BOXES.slice(2)); // boxes 1, 2, 3 last heard at T0, T0+3, T0+6
    await advance(45 * MIN, BOXES.slice(3));
    expect(sink.raised.map((a) => a.category)).toEqual(['gacha-offline']);
    expect(sink.raised[0]).toMatchObject({
      severity: 'medium',
      unitId: GACHA,
      key: `gacha-offline:${GACHA}`,
    });
    expect(sink.raised[0]!.details?.devices).toEqual(BOXES.slice(0, 3).sort());
    await hb(BOXES[0]!);
    await settle();
    expect(sink.cleared).toHaveLength(0);
    await hb(BOXES[1]!);
    await settle();
    expect(sink.clearsOf('gacha-offline')).toHaveLength(1);
    await advance(MIN, BOXES.slice(0, 2));
    expect(sink.of('device-offline').map((a) => a.deviceId)).toEqual([BOXES[2]]); // still silent: on its own now
  });
});
