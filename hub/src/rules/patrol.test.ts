import type { Fix } from '@steppelink/protocols';
import { describe, expect, it } from 'vitest';
import type { BorderLine } from './geo/border.ts';
import { MIN, T0, testEngine, track } from './testing.ts';

const TRACKER = 'trk-patrol-150825-03'; // team-150825-201-border of Chaogewenduer Town
const HOUR = 60 * MIN;

/** A patrol driving along the border from segment `from` to `to` (exclusive), `southDeg` south of it. */
function alongBorder(
  line: BorderLine,
  from: number,
  to: number,
  t: number,
  stepMs: number,
  southDeg = 0.0027,
): Fix[] {
  const points: [number, number][] = [];
  for (const s of line.segments.slice(from, to)) {
    for (const [lon, lat] of s.line.geometry.coordinates as [number, number][]) {
      const last = points.at(-1);
      if (!last || last[0] !== lon || last[1] !== lat) points.push([lon, lat]);
    }
  }
  return track(
    t,
    stepMs,
    points.map(([lon, lat]) => [lon, lat - southDeg]),
  );
}

const patrolled = (segments: { segment: { index: number }; lastPatrolledAt: number | null }[]) =>
  segments.filter((s) => s.lastPatrolledAt !== null).map((s) => s.segment.index);
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('patrol coverage', () => {
  it('a replayed patrol track marks the segments it passed within 500 m, with the time and the tracker', () => {
    const { engine, stream } = testEngine();
    const line = engine.env.zones.borders[0]!;
    const fixes = alongBorder(line, 10, 30, T0, MIN);
    stream(TRACKER, undefined, fixes);
    const segs = engine.coverage.segments();
    const done = patrolled(segs);
    expect(done).toEqual(expect.arrayContaining(range(10, 30)));
    expect(done.every((i) => i >= 9 && i <= 30)).toBe(true);
    expect(segs[20]).toMatchObject({ deviceId: TRACKER });
    expect(segs[20]!.lastPatrolledAt).toBeGreaterThan(T0);
    expect(segs[29]!.lastPatrolledAt).toBeLessThanOrEqual(fixes.at(-1)!.t);
    expect(segs[29]!.lastPatrolledAt).toBeGreaterThan(segs[11]!.lastPatrolledAt!);
  });

  it('joins sparse fixes into a track, so segments between fixes ~3 km apart count too', () => {
    const { engine, stream } = testEngine();
    const line = engine.env.zones.borders[0]!;
    const sparse = alongBorder(line, 40, 60, T0, MIN, 0).filter((_, i) => i % 7 === 0);
    stream(TRACKER, undefined, sparse);
    expect(patrolled(engine.coverage.segments())).toEqual(expect.arrayContaining(range(41, 59)));

    const unjoined = testEngine({ config: { patrolJoinMaxGapMs: 0 } });
    unjoined.stream(TRACKER, undefined, sparse);
    const alone = patrolled(unjoined.engine.coverage.segments());
    expect(range(41, 59).filter((i) => !alone.includes(i)).length).toBeGreaterThan(0);
  });

  it('counts late fixes (coverage time only moves forward) and survives a restart', () => {
    const { engine, deliver, clock, db, registry } = testEngine();
    const line = engine.env.zones.borders[0]!;
    const fixes = alongBorder(line, 100, 110, T0, MIN);
    clock.set(fixes.at(-1)!.t + 2 * HOUR);
    for (let i = fixes.length; i > 0; i -= 5)
      deliver(engine.positions(TRACKER, undefined, fixes.slice(Math.max(0, i - 5), i), clock.now()));
    const before = engine.coverage.segments().filter((s) => s.lastPatrolledAt !== null);
    expect(before.map((s) => s.segment.index)).toEqual(expect.arrayContaining(range(100, 110)));
    engine.flush();
    const again = testEngine({ db, registry });
    const after = again.engine.coverage.segments().filter((s) => s.lastPatrolledAt !== null);
    expect(after.map((s) => [s.segment.index, s.lastPatrolledAt])).toEqual(
      before.map((s) => [s.segment.index, s.lastPatrolledAt]),
    );
  });
});

describe('patrol-gap', () => {
  it('alerts per township when its stretch goes unpatrolled longer than the banner policy, and clears after a patrol', () => {
    const { engine, stream, clock, sink, deliver } = testEngine({
      config: { patrolGapMaxMsByUnit: { '150825': 24 * HOUR } },
    });
    const line = engine.env.zones.borders[0]!;
    stream(TRACKER, undefined, alongBorder(line, 10, 30, T0 + 20 * HOUR, MIN));
    clock.set(T0 + 25 * HOUR);
    deliver(engine.tick());
    expect(sink.of('patrol-gap')).toHaveLength(1);
    const gap = sink.of('patrol-gap')[0]!;
    expect(gap).toMatchObject({
      source: 'rule',
      severity: 'medium',
      unitId: '150825-201',
      alsoNotify: ['150825'],
      key: 'patrol-gap:urad-border:150825-201',
      details: { policyMs: 24 * HOUR },
    });
    expect(gap.details?.ranges).toMatch(/^km 0–(9|10), km (30|31)–190$/);
    expect(gap.summary.en).toContain('Chaogewenduer Town');

    clock.set(T0 + 49 * HOUR); // Urad Middle Banner has the default policy of 48 h
    deliver(engine.tick());
    expect(sink.of('patrol-gap').map((a) => [a.unitId, a.alsoNotify])).toEqual([
      ['150825-201', ['150825']],
      ['150824-104', ['150824']],
    ]);

    stream(TRACKER, undefined, alongBorder(line, 0, 190, T0 + 50 * HOUR, 20_000));
    deliver(engine.tick());
    expect(sink.clearsOf('patrol-gap')).toEqual([
      { key: 'patrol-gap:urad-border:150825-201', at: clock.now() },
    ]);
    expect(sink.of('patrol-gap')).toHaveLength(2);
  });
});

describe('man-down', () => {
  const drive = (t: number) =>
    track(
      t,
      MIN,
      Array.from({ length: 10 }, (_, i): [number, number] => [106.6 + i * 0.0025, 42.58]),
    );
  const still = (t: number, n: number, at: [number, number]) =>
    track(
      t,
      MIN,
      Array.from({ length: n }, (_, i): [number, number] => [at[0], at[1] + (i % 2 ? 0.00004 : -0.00004)]),
    );

  it('a tracker stationary for 20 min during a patrol raises man-down to the team and banner; moving clears it', () => {
    const { sink, stream } = testEngine();
    stream(TRACKER, undefined, drive(T0));
    const stop: [number, number] = [106.6225, 42.58];
    const stopped = T0 + 9 * MIN; // the last driving fix is where it stopped
    stream(TRACKER, undefined, still(T0 + 10 * MIN, 25, stop));
    expect(sink.of('man-down')).toHaveLength(1);
    expect(sink.of('man-down')[0]).toMatchObject({
      severity: 'high',
      unitId: '150825-201',
      alsoNotify: ['150825'],
      deviceId: TRACKER,
      key: `man-down:${TRACKER}`,
      at: stopped + 20 * MIN,
    });
    stream(TRACKER, undefined, track(T0 + 40 * MIN, MIN, [[106.6225, 42.582]])); // ≈220 m on
    expect(sink.clearsOf('man-down')).toEqual([{ key: `man-down:${TRACKER}`, at: T0 + 40 * MIN }]);
  });

  it('not at the patrol base, and not when the tracker never went on patrol', () => {
    const atBase = testEngine();
    atBase.stream(TRACKER, undefined, drive(T0));
    atBase.stream(TRACKER, undefined, still(T0 + 10 * MIN, 60, [106.62, 42.598])); // parked at the base
    expect(atBase.sink.raised).toHaveLength(0);

    const idle = testEngine();
    idle.stream(TRACKER, undefined, still(T0, 60, [106.63, 42.57]));
    expect(idle.sink.raised).toHaveLength(0);
  });
});
