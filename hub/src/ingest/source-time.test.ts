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
  fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }).map((d) => Math.max(EPOCH_MIN_MS, t + d));

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
        after.forEach((t, i) => {
          expect(t).toBe(before[i]! <= limit ? before[i] : receivedAt);
        });
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
        m.readings.forEach((r, i) => {
          expect(r.t).toBe(trustedTime(original.readings[i]!.t, receivedAt, tol));
        });
        const worst = Math.max(original.ts, ...original.readings.map((r) => r.t)) - receivedAt;
        expect(ahead).toBe(worst > tol ? worst : 0);
      }),
    );
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
