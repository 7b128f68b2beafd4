import { describe, expect, it } from 'vitest';
import { DegreeBoxes } from './geo/measure.ts';
import { MIN, T0, testEngine, times, track } from './testing.ts';

const RELAY = 'col-150824-104-0007-a';
const HH = 'hh-150824-104-0007';
const GRID = '150824-104-007-03';
const SUMU = '150824-104'; // Bayan Ulaan Sumu: its police-civilian station
const TRACKER = 'trk-patrol-150825-03';

// North of the household's pasture the border runs at about lat 42.33–42.35 (lon 108.45).
const FAR: [number, number] = [108.45, 42.3]; // ≈3.7 km from the line
const NEAR: [number, number] = [108.45, 42.318]; // ≈1.9 km
const BEYOND: [number, number] = [108.45, 42.348]; // ≈185 m into Mongolia

describe('border buffer and crossing', () => {
  it('has test positions where the comments say they are', () => {
    const { engine } = testEngine();
    const line = engine.env.zones.borders[0]!;
    const boxes = new DegreeBoxes(5000);
    expect(line.distanceWithinM(...FAR, boxes)).toBeGreaterThan(3000);
    expect(line.distanceWithinM(...NEAR, boxes)).toBeGreaterThan(1500);
    expect(line.distanceWithinM(...NEAR, boxes)).toBeLessThan(2000);
    expect(line.distanceWithinM(...BEYOND, boxes)).toBeGreaterThan(100);
    expect([FAR, NEAR, BEYOND].map((p) => line.isFarSide(...p))).toEqual([false, false, true]);
  });

  it('livestock approaching, crossing and coming back: grid and township station are alerted, then cleared', () => {
    const { sink, stream } = testEngine();
    stream(RELAY, 'camel-07', track(T0, MIN, times(4, FAR)));
    expect(sink.of('border-approach')).toHaveLength(0);

    stream(RELAY, 'camel-07', track(T0 + 4 * MIN, MIN, times(3, NEAR)));
    expect(sink.of('border-approach')).toHaveLength(1);
    expect(sink.of('border-approach')[0]).toMatchObject({
      severity: 'medium',
      unitId: GRID,
      alsoNotify: [SUMU],
      key: `border-approach:${HH}:camel-07`,
      householdId: HH,
      at: T0 + 6 * MIN,
    });
    expect(sink.of('border-crossing')).toHaveLength(0);

    stream(RELAY, 'camel-07', track(T0 + 7 * MIN, MIN, times(2, BEYOND)));
    expect(sink.of('border-crossing')).toHaveLength(1);
    expect(sink.of('border-crossing')[0]).toMatchObject({
      severity: 'high',
      unitId: GRID,
      alsoNotify: [SUMU],
      key: `border-crossing:${HH}:camel-07`,
      at: T0 + 8 * MIN,
    });
    expect(sink.of('border-approach')).toHaveLength(1); // still the same open approach

    stream(RELAY, 'camel-07', track(T0 + 9 * MIN, MIN, times(17, FAR)));
    expect(sink.clearsOf('border-')).toEqual([
      { key: `border-crossing:${HH}:camel-07`, at: T0 + 24 * MIN },
      { key: `border-approach:${HH}:camel-07`, at: T0 + 24 * MIN },
    ]);
  });

  it('a single fix beyond the line (GPS multipath) does not make a crossing', () => {
    const { sink, stream } = testEngine();
    stream(RELAY, 'camel-08', [
      ...track(T0, MIN, [NEAR, BEYOND]),
      ...track(T0 + 2 * MIN, MIN, times(10, NEAR)),
    ]);
    expect(sink.of('border-crossing')).toHaveLength(0);
  });

  it('patrol trackers are exempt from the buffer but not from crossing', () => {
    const { sink, stream } = testEngine();
    stream(TRACKER, undefined, track(T0, MIN, times(20, NEAR)));
    expect(sink.raised).toHaveLength(0);
    stream(TRACKER, undefined, track(T0 + 20 * MIN, MIN, times(2, BEYOND)));
    expect(sink.raised.map((a) => a.category)).toEqual(['border-crossing']);
    expect(sink.raised[0]).toMatchObject({
      severity: 'high',
      unitId: '150825-201',
      alsoNotify: ['150825'],
      deviceId: TRACKER,
      key: `border-crossing:team-150825-201-border:${TRACKER}`,
    });
  });
});

describe('grazing bans and rest-grazing', () => {
  // The spring rest-grazing area of Bayan Hatai gacha (1 April – 31 May, local days) covers the pasture.
  const IN: [number, number] = [108.45, 42.13];
  const local = (iso: string) => Date.parse(`${iso}+08:00`);

  it('raises a low alert to the grid during the season and clears after it ends at local midnight', () => {
    const t = local('2025-05-31T23:00:00');
    const { sink, stream } = testEngine({ t0: t });
    stream(RELAY, 'flock-1', track(t, 5 * MIN, times(21, IN))); // to 00:40 on 1 June
    expect(sink.of('grazing-ban')).toHaveLength(1);
    expect(sink.of('grazing-ban')[0]).toMatchObject({
      severity: 'low',
      unitId: GRID,
      householdId: HH,
      key: `grazing-ban:${HH}:flock-1`,
      at: local('2025-05-31T23:15:00'),
      details: { zoneId: 'bayan-hatai-spring-rest', ban: 'rest' },
    });
    expect(sink.of('grazing-ban')[0]!.summary.zh).toContain('巴音哈太嘎查春季休牧区');
    expect(sink.clearsOf('grazing-ban')).toEqual([
      { key: `grazing-ban:${HH}:flock-1`, at: local('2025-06-01T00:15:00') },
    ]);
    expect(sink.of('stray')).toHaveLength(0); // in its own pasture all along
  });

  it('starts with the season: nothing on 31 March, an alert once 1 April began', () => {
    const t = local('2025-03-31T23:30:00');
    const { sink, stream } = testEngine({ t0: t });
    stream(RELAY, 'flock-2', track(t, 5 * MIN, times(6, IN))); // to 23:55
    expect(sink.raised).toHaveLength(0);
    stream(RELAY, 'flock-2', track(local('2025-04-01T00:00:00'), 5 * MIN, times(5, IN)));
    expect(sink.of('grazing-ban').map((a) => a.at)).toEqual([local('2025-04-01T00:15:00')]);
  });

  it('outside the area during the season raises nothing', () => {
    const t = local('2025-05-01T08:00:00');
    const { sink, stream } = testEngine({ t0: t });
    stream(RELAY, 'flock-3', track(t, 5 * MIN, times(10, [108.38, 42.13])));
    expect(sink.of('grazing-ban')).toHaveLength(0);
  });
});
