import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { monotonicUlids, pooledRandom, ulidAt } from './ids.ts';

describe('pooledRandom', () => {
  it('gives fractions in [0, 1) spread over all byte values, across pool refills', () => {
    const r = pooledRandom(64);
    const seen = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      seen.add(Math.round(x * 256));
    }
    expect(seen.size).toBe(256);
  });
});

describe('ULIDs', () => {
  it('ulidAt encodes the seed time', () => {
    const t = Date.UTC(2026, 10, 25, 4, 0);
    expect(decodeTime(ulidAt(t))).toBe(t);
    expect(ulidAt(t)).not.toBe(ulidAt(t));
  });

  it('monotonicUlids encodes the seed time and sorts in creation order within one millisecond', () => {
    const t = Date.UTC(2026, 10, 25, 4, 0);
    const next = monotonicUlids();
    const ids = Array.from({ length: 500 }, () => next(t));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(decodeTime(ids[0]!)).toBe(t);
  });
});
