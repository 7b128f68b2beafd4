import {
  EPOCH_MIN_MS,
  expandFixes,
  type Grazing,
  grazingSchema,
  MESSAGES,
  type PosBatch,
  posSchema,
} from '@steppelink/protocols';
import { grazingArb, messageArbs, posArb } from '@steppelink/protocols/arbitraries';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IngestKind } from './accept-queue.ts';
import { clampSourceTimes, trustedTime } from './source-time.ts';

const toleranceArb = fc.integer({ min: 0, max: 10 * 60_000 });
/** A hub receive time somewhere around `t`: days before (the clock is ahead) to days after (store-and-forward). */
const receivedAround = (t: number) =>
  fc
    .integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 })
    .map((d) => Math.max(EPOCH_MIN_MS + 86_400_000, t + d)); // a hub clock is never at the 2001 bound

/**
 * Plausible times are kept; the k future ones become receivedAt-(k-1) … receivedAt, 1 ms apart
 * in message order (so the store keeps each of them).
 */
function expectKeptOrSpaced(before: number[], after: number[], limit: number, receivedAt: number) {
  const future = before.flatMap((t, i) => (t > limit ? [i] : []));
  before.forEach((t, i) => {
    if (t <= limit) expect(after[i]).toBe(t);
  });
  expect(future.map((i) => after[i])).toEqual(future.map((_, j) => receivedAt - (future.length - 1 - j)));
  for (const t of after) expect(t).toBeLessThanOrEqual(limit);
}

describe('trustedTime', () => {
  it('never exceeds receive time plus tolerance, and leaves plausible times untouched', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: EPOCH_MIN_MS, max: 4_102_444_800_000 }),
        fc.integer({ min: EPOCH_MIN_MS, max: 4_102_444_800_000 }),
        toleranceArb,
        (t, receivedAt, tol) => {
          const kept = trustedTime(t, receivedAt, tol);
          expect(kept).toBeLessThanOrEqual(receivedAt + tol);
          expect(kept).toBe(t <= receivedAt + tol ? t : receivedAt);
        },
      ),
    );
  });

  it('keeps a store-and-forward time from years ago, replaces one from 2096', () => {
    const now = Date.UTC(2026, 11, 7);
    expect(trustedTime(Date.UTC(2019, 0, 1), now, 120_000)).toBe(Date.UTC(2019, 0, 1));
    expect(trustedTime(now + 120_000, now, 120_000)).toBe(now + 120_000);
    expect(trustedTime(now + 120_001, now, 120_000)).toBe(now);
    expect(trustedTime(Date.UTC(2096, 2, 1), now, 120_000)).toBe(now);
  });
});

describe('clampSourceTimes', () => {
  it('pos: every fix ends at or before receive+tolerance, plausible fixes keep their times, the batch stays valid', () => {
    const arb = posArb
      .map((m) => posSchema.parse(m))
      .chain((m) => fc.tuple(fc.constant(m), receivedAround(m.t0), toleranceArb));
    fc.assert(
      fc.property(arb, ([m, receivedAt, tol]) => {
        const before = expandFixes(m).map((f) => f.t);
        const original: PosBatch = structuredClone(m);
        const ahead = clampSourceTimes('pos', m, receivedAt, tol);
        const after = expandFixes(m).map((f) => f.t);
        const limit = receivedAt + tol;
        expectKeptOrSpaced(before, after, limit, receivedAt);
        expect(m.ts).toBe(original.ts <= limit ? original.ts : receivedAt);
        const worst = Math.max(original.ts, ...before) - receivedAt;
        expect(ahead).toBe(worst > tol ? worst : 0);
        if (ahead === 0) expect(m).toEqual(original);
        expect(posSchema.safeParse(m).success).toBe(true);
      }),
    );
  });

  it('grazing: each reading time is judged on its own', () => {
    const arb = grazingArb
      .map((m) => grazingSchema.parse(m))
      .chain((m) => fc.tuple(fc.constant(m), receivedAround(m.ts), toleranceArb));
    fc.assert(
      fc.property(arb, ([m, receivedAt, tol]) => {
        const original: Grazing = structuredClone(m);
        const ahead = clampSourceTimes('grazing', m, receivedAt, tol);
        expectKeptOrSpaced(
          original.readings.map((r) => r.t),
          m.readings.map((r) => r.t),
          receivedAt + tol,
          receivedAt,
        );
        const worst = Math.max(original.ts, ...original.readings.map((r) => r.t)) - receivedAt;
        expect(ahead).toBe(worst > tol ? worst : 0);
      }),
    );
  });

  it('a 2096-stamped batch keeps all its fixes, in order, ending at receive time', () => {
    const receivedAt = Date.UTC(2026, 11, 7, 8, 0, 0);
    const b = posSchema.parse({
      v: 1,
      id: 'trk-patrol-150825-03:pos:1',
      ts: Date.UTC(2096, 2, 1),
      t0: Date.UTC(2096, 2, 1),
      fixes: [
        [0, 41.86, 106.92, null, null, null, null],
        [10_000, 41.87, 106.93, null, null, null, null],
      ],
    });
    expect(clampSourceTimes('pos', b, receivedAt, 120_000)).toBe(Date.UTC(2096, 2, 1) + 10_000 - receivedAt);
    expect(expandFixes(b).map((f) => [f.t, f.lat])).toEqual([
      [receivedAt - 1, 41.86],
      [receivedAt, 41.87],
    ]);
  });

  it('every upstream kind: ts is judged, and a plausible message is left exactly as it was', () => {
    const kinds = (Object.keys(MESSAGES) as (keyof typeof MESSAGES)[]).filter(
      (k) => MESSAGES[k].direction === 'up' || MESSAGES[k].direction === 'worker-up',
    );
    const arb = fc
      .constantFrom(...kinds)
      .chain((kind) =>
        (messageArbs[kind] as fc.Arbitrary<unknown>)
          .map((m) => MESSAGES[kind].schema.parse(m) as { ts: number })
          .chain((m) => fc.tuple(fc.constant(kind), fc.constant(m), receivedAround(m.ts), toleranceArb)),
      );
    fc.assert(
      fc.property(arb, ([kind, m, receivedAt, tol]) => {
        const original = structuredClone(m);
        const ahead = clampSourceTimes(kind as IngestKind, m, receivedAt, tol);
        expect(m.ts).toBe(trustedTime(original.ts, receivedAt, tol));
        if (ahead === 0) expect(m).toEqual(original);
        else expect(ahead).toBeGreaterThan(tol);
      }),
    );
  });
});
