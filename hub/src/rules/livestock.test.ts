import { describe, expect, it } from 'vitest';
import { MIN, T0, testEngine, times, track } from './testing.ts';

// Household hh-150824-104-0007 (其其格, grid 150824-104-007-03): pasture lon 108.43–108.47, lat
// 42.11–42.15; its winter camp (a virtual fence) east of it; the neighbour hh-…-0008's pasture
// north-east (lon 108.47–108.51, lat 42.13–42.17).
const RELAY = 'col-150824-104-0007-a';
const HH = 'hh-150824-104-0007';
const GRID = '150824-104-007-03';
const IN: [number, number] = [108.45, 42.13];
const OUT_S: [number, number] = [108.45, 42.1]; // ≈1.1 km south of the pasture, nobody's land
const NEIGHBOUR: [number, number] = [108.478, 42.135]; // ≈660 m east, in hh-…-0008's pasture
const CAMP: [number, number] = [108.478, 42.11]; // in the winter camp fence
const EDGE_OUT: [number, number] = [108.4703, 42.13]; // ≈25 m outside the east edge
const EDGE_IN: [number, number] = [108.4698, 42.13]; // ≈16 m inside it

describe('stray: outside the pasture', () => {
  it('raises to the grid after the debounce and clears after the return is confirmed', () => {
    const { sink, stream } = testEngine();
    stream(RELAY, 'camel-03', track(T0, 2 * MIN, times(5, IN)));
    stream(RELAY, 'camel-03', track(T0 + 10 * MIN, 2 * MIN, times(8, OUT_S)));
    expect(sink.of('stray')).toHaveLength(1);
    const a = sink.of('stray')[0]!;
    expect(a).toMatchObject({
      source: 'rule',
      severity: 'medium',
      unitId: GRID,
      householdId: HH,
      deviceId: RELAY,
      key: `stray:${HH}:camel-03`,
      at: T0 + 20 * MIN, // 10 min after the first fix outside
      pos: { lat: OUT_S[1], lon: OUT_S[0] },
    });
    expect(a.details?.outsideM).toBeGreaterThan(1000);
    expect(a.summary.zh).toContain('其其格');
    expect(sink.cleared).toHaveLength(0);

    stream(RELAY, 'camel-03', track(T0 + 26 * MIN, 2 * MIN, times(7, IN)));
    expect(sink.clearsOf('stray:')).toEqual([{ key: `stray:${HH}:camel-03`, at: T0 + 36 * MIN }]);
    expect(sink.of('stray')).toHaveLength(1);
  });

  it("names the neighbour whose pasture the herd wandered into; the household's winter camp is not a stray", () => {
    const { sink, stream } = testEngine();
    stream(RELAY, 'sheep-a', track(T0, 2 * MIN, times(8, CAMP)));
    expect(sink.raised).toHaveLength(0);
    stream(RELAY, 'sheep-b', track(T0, 2 * MIN, times(8, NEIGHBOUR)));
    expect(sink.of('stray')).toHaveLength(1);
    expect(sink.of('stray')[0]!.details?.inPastureOf).toEqual([
      { householdId: 'hh-150824-104-0008', name: '额尔德尼', source: 'pasture' },
    ]);
  });

  it('keeps subjects of one relay apart (one alert per rule and subject)', () => {
    const { sink, stream } = testEngine();
    stream(RELAY, 'camel-01', track(T0, 2 * MIN, times(8, OUT_S)));
    stream(RELAY, 'camel-02', track(T0, 2 * MIN, times(8, OUT_S)));
    stream(RELAY, 'camel-01', track(T0 + 20 * MIN, 2 * MIN, times(8, OUT_S)));
    expect(sink.of('stray').map((a) => a.key)).toEqual([`stray:${HH}:camel-01`, `stray:${HH}:camel-02`]);
  });
});

describe('flapping is suppressed', () => {
  it('GPS jitter across the pasture edge (inside the margins) never raises', () => {
    const { sink, stream } = testEngine();
    const jitter = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? EDGE_OUT : EDGE_IN));
    stream(RELAY, 'goat-1', track(T0, MIN, jitter));
    expect(sink.raised).toHaveLength(0);
  });

  it('short excursions shorter than the debounce never raise', () => {
    const { sink, stream } = testEngine();
    const excursions = Array.from({ length: 30 }, (_, i) => (Math.floor(i / 4) % 2 === 0 ? OUT_S : IN));
    stream(RELAY, 'goat-2', track(T0, 2 * MIN, excursions)); // 8 min out, 8 min in, ...
    expect(sink.raised).toHaveLength(0);
  });

  it('once raised, brief returns do not clear it (and it does not re-raise)', () => {
    const { sink, stream } = testEngine();
    stream(RELAY, 'goat-3', track(T0, 2 * MIN, times(6, OUT_S)));
    const flaps = Array.from({ length: 30 }, (_, i) => (Math.floor(i / 3) % 2 === 0 ? IN : OUT_S));
    stream(RELAY, 'goat-3', track(T0 + 12 * MIN, 2 * MIN, flaps)); // 6 min in, 6 min out, ...
    expect(sink.of('stray')).toHaveLength(1);
    expect(sink.cleared).toHaveLength(0);
  });

  it('positions out of order change nothing: a late fix inside does not clear, a late fix outside does not start', () => {
    const { sink, stream, engine, deliver, clock } = testEngine();
    stream(RELAY, 'goat-4', track(T0, 2 * MIN, times(7, OUT_S))); // raised at T0+10
    expect(sink.of('stray')).toHaveLength(1);
    deliver(engine.positions(RELAY, 'goat-4', track(T0 - 60 * MIN, 2 * MIN, times(20, IN)), clock.now()));
    expect(sink.cleared).toHaveLength(0);
    stream(RELAY, 'goat-5', track(T0, 2 * MIN, times(10, IN)));
    deliver(engine.positions(RELAY, 'goat-5', track(T0 - 30 * MIN, MIN, times(15, OUT_S)), clock.now()));
    stream(RELAY, 'goat-5', track(T0 + 20 * MIN, 2 * MIN, times(3, IN)));
    expect(sink.of('stray')).toHaveLength(1);
    expect(engine.counters.late).toBe(35);
  });
});

describe('late positions are evaluated at their source time, never raising stale alerts', () => {
  it('a backlog showing an excursion that already ended raises nothing', () => {
    const { sink, engine, deliver, clock } = testEngine();
    clock.set(T0 + 3 * 60 * MIN);
    const backlog = [
      ...track(T0, 2 * MIN, times(15, OUT_S)),
      ...track(T0 + 30 * MIN, 2 * MIN, times(15, IN)),
    ];
    deliver(engine.positions(RELAY, 'horse-1', backlog, clock.now()));
    expect(sink.raised).toHaveLength(0);
    expect(sink.cleared).toHaveLength(0);
  });

  it('a backlog whose newest fixes are still outside raises once, at the newest fix that proves it', () => {
    const { sink, engine, deliver, clock } = testEngine();
    clock.set(T0 + 3 * 60 * MIN);
    deliver(engine.positions(RELAY, 'horse-2', track(T0, 2 * MIN, times(30, OUT_S)), clock.now()));
    expect(sink.of('stray')).toHaveLength(1);
    expect(sink.of('stray')[0]!.at).toBeGreaterThanOrEqual(T0 + 58 * MIN - 15 * MIN);
  });

  it('a backlog older than alertMaxAgeMs raises nothing; a fresh fix still outside then does', () => {
    const { sink, engine, deliver, clock, stream } = testEngine();
    clock.set(T0 + 8 * 60 * MIN);
    deliver(engine.positions(RELAY, 'horse-3', track(T0, 2 * MIN, times(30, OUT_S)), clock.now()));
    expect(sink.raised).toHaveLength(0);
    stream(RELAY, 'horse-3', [{ t: clock.now(), lat: OUT_S[1], lon: OUT_S[0] }]);
    expect(sink.of('stray')).toHaveLength(1);
    expect(sink.of('stray')[0]!.at).toBe(T0 + 8 * 60 * MIN);
  });

  it('ignores fixes stamped in the future (a device clock gone wrong)', () => {
    const { sink, engine, deliver, clock } = testEngine();
    deliver(engine.positions(RELAY, 'horse-4', track(T0 + 60 * MIN, 2 * MIN, times(10, OUT_S)), clock.now()));
    expect(sink.raised).toHaveLength(0);
    expect(engine.counters.future).toBe(10);
  });
});
