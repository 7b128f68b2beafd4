import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixArb } from '../arbitraries.ts';
import { decode, encodeOrThrow, validate } from '../codec.ts';
import { expandFixes, type Fix, packFixes, POS_MAX_FIXES } from './pos.ts';

const T0 = 1_764_028_800_000;
/** Half a unit in the last kept decimal, plus float slack. */
const TOLERANCE = { lat: 5e-7, lon: 5e-7, alt: 0.05, hdop: 0.05, speed: 0.005, course: 0.05 } as const;
const fixesArb = fc
  .integer({ min: 978_307_200_000, max: 4_000_000_000_000 })
  .chain((t0) => fc.array(fixArb(t0), { minLength: 1, maxLength: POS_MAX_FIXES }));

describe('packFixes / expandFixes', () => {
  it('round-trips within rounding, keeping order, times and which fields are present', () => {
    fc.assert(
      fc.property(fixesArb, (fixes) => {
        const back = expandFixes(packFixes(fixes));
        expect(back).toHaveLength(fixes.length);
        fixes.forEach((f, i) => {
          const b = back[i]!;
          expect(b.t).toBe(f.t);
          for (const key of Object.keys(TOLERANCE) as (keyof typeof TOLERANCE)[]) {
            expect(key in b, key).toBe(f[key] !== undefined);
            if (f[key] !== undefined)
              expect(Math.abs(b[key]! - f[key]), key).toBeLessThanOrEqual(TOLERANCE[key] + 1e-9);
          }
        });
      }),
    );
  });

  it('uses the earliest fix as t0, so every offset is non-negative', () => {
    fc.assert(
      fc.property(fixesArb, (fixes) => {
        const packed = packFixes(fixes);
        expect(packed.t0).toBe(Math.min(...fixes.map((f) => f.t)));
        expect(packed.fixes.every(([dt]) => dt >= 0)).toBe(true);
      }),
    );
  });

  it('is stable: packing what was expanded gives the same batch', () => {
    fc.assert(
      fc.property(fixesArb, (fixes) => {
        const packed = packFixes(fixes);
        expect(packFixes(expandFixes(packed))).toEqual(packed);
      }),
    );
  });

  it('produces a batch that validates and survives the wire', () => {
    fc.assert(
      fc.property(fixesArb, (fixes) => {
        const message = {
          v: 1 as const,
          id: 'trk-patrol-150825-03:pos:1',
          ts: T0,
          src: 'gpsd' as const,
          ...packFixes(fixes),
        };
        expect(validate('pos', message).ok).toBe(true);
        const decoded = decode('pos', encodeOrThrow('pos', message));
        expect(decoded.ok && expandFixes(decoded.value)).toEqual(expandFixes(message));
      }),
      { numRuns: 50 },
    );
  });

  it('packs a full batch of 500 patrol fixes well under the payload limit', () => {
    const fixes: Fix[] = Array.from({ length: POS_MAX_FIXES }, (_, i) => ({
      t: T0 + i * 10_000,
      lat: 42.410321 + i * 1e-4,
      lon: 106.874113 + i * 1.3e-4,
      alt: 1321.5,
      hdop: 0.9,
      speed: 11.25,
      course: 84.5,
    }));
    const bytes = encodeOrThrow('pos', { v: 1, id: 'trk-1:pos:1', ts: T0, ...packFixes(fixes) });
    expect(bytes.byteLength).toBeLessThan(32 * 1024);
  });

  it('refuses an empty batch with a message saying what to do', () => {
    expect(() => packFixes([])).toThrow(/send nothing/);
  });
});
