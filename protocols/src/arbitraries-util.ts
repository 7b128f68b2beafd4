/** Small building blocks for ./arbitraries.ts (test-only; loads fast-check). */
import fc from 'fast-check';
import { ID_MAX_LENGTH } from './ids.ts';
import { RESERVED_IDS } from './topics.ts';

/** A decimal in [min, max] with `digits` decimals, built from an integer so it is never -0 or NaN. */
export const dec = (min: number, max: number, digits: number): fc.Arbitrary<number> => {
  const f = 10 ** digits;
  return fc.integer({ min: Math.round(min * f), max: Math.round(max * f) }).map((n) => n / f);
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_CHARS = `${ALNUM}._:-`;

/** Any id segment `idSegmentSchema` accepts: 1-64 of [A-Za-z0-9._:-], starting alphanumeric. */
export const segmentArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...ALNUM),
        fc.string({ unit: fc.constantFrom(...ID_CHARS), maxLength: ID_MAX_LENGTH - 1 }),
      )
      .map(([a, b]) => a + b),
  },
  { weight: 1, arbitrary: fc.constantFrom(...RESERVED_IDS) },
);

/** Any string `messageIdSchema` accepts: 1-64 of [A-Za-z0-9._:-]. */
export const idCharsArb: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom(...ID_CHARS),
  minLength: 1,
  maxLength: ID_MAX_LENGTH,
});

const cjk = fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCharCode(c));
const mongolian = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0x1820, max: 0x1878 }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom(' ', '\u202f', '\u180e', '᠂', '᠃') },
);

/** Traditional Mongolian script text. */
export const mnTextArb: fc.Arbitrary<string> = fc.string({ unit: mongolian, minLength: 1, maxLength: 120 });

/**
 * Free text of `min`..`max` UTF-16 units (what zod's .max counts): Chinese, any grapheme, or any
 * code point. Cutting at `max` may split a surrogate pair; a lone surrogate is still a valid string.
 */
export const shortText = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.string({ unit: cjk, minLength: min, maxLength: max }),
      fc.string({ unit: 'grapheme', minLength: min, maxLength: max }),
      fc.string({ unit: 'binary', minLength: min, maxLength: max }),
    )
    .map((s) => s.slice(0, max))
    .filter((s) => s.length >= min);

/** Chinese mobile numbers, sometimes empty (the schema allows it). */
export const phoneArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.integer({ min: 3, max: 9 }), fc.integer({ min: 0, max: 999_999_999 }))
      .map(([a, b]) => `1${a}${String(b).padStart(9, '0')}`),
  },
  { weight: 1, arbitrary: fc.constant('') },
);

/** `[start, end]` with start from `baseArb` and end 1..maxSpanMs later. */
export const timeWindowArb = (
  baseArb: fc.Arbitrary<number>,
  maxSpanMs: number,
): fc.Arbitrary<[number, number]> =>
  fc.tuple(baseArb, fc.integer({ min: 1, max: maxSpanMs })).map(([b, d]) => [b, b + d]);
