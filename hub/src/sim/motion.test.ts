import { distance } from '@turf/distance';
import { point } from '@turf/helpers';
import { describe, expect, it } from 'vitest';
import { createPatrol, type Herd, stepHerd, stepPatrol } from './motion.ts';
import { createRng } from './random.ts';

const km = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) =>
  distance(point([a.lon, a.lat]), point([b.lon, b.lat]), { units: 'kilometers' });

describe('herd motion', () => {
  const home = { lat: 42.12, lon: 108.44 };
  it('keeps a grazing herd near its camp', () => {
    const rng = createRng(1);
    let h: Herd = { pos: home, home, mode: 'graze', headingDeg: 0 };
    let furthest = 0;
    for (let i = 0; i < 2000; i++) {
      h = stepHerd(h, rng, 30);
      furthest = Math.max(furthest, km(h.pos, home));
    }
    expect(furthest).toBeLessThan(1.2);
    expect(furthest).toBeGreaterThan(0.2);
  });
  it('walks a straying herd away and a drifting herd north', () => {
    const rng = createRng(2);
    let stray: Herd = { pos: home, home, mode: 'stray', headingDeg: 120 };
    let drift: Herd = { pos: home, home, mode: 'drift', headingDeg: 0 };
    for (let i = 0; i < 120; i++) {
      stray = stepHerd(stray, rng, 30);
      drift = stepHerd(drift, rng, 30);
    }
    expect(km(stray.pos, home)).toBeGreaterThan(1.5);
    expect(drift.pos.lat - home.lat).toBeGreaterThan(0.015); // ≥ 1.7 km north in an hour
  });
});

describe('patrol motion', () => {
  it('drives back and forth within its stretch of the border', () => {
    const line: [number, number][] = [
      [106.8, 42.4],
      [107.0, 42.42],
      [107.2, 42.41],
    ];
    let p = createPatrol(line, 2, 20, createRng(3));
    const seen: number[] = [];
    for (let i = 0; i < 400; i++) {
      const s = stepPatrol(p, 20);
      p = s.patrol;
      seen.push(p.atKm);
      expect(s.pos.lat).toBeLessThan(42.42); // inside, south of the line
    }
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...seen)).toBeLessThanOrEqual(20);
    expect(Math.max(...seen) - Math.min(...seen)).toBeGreaterThan(15); // it covered the stretch
  });
});
