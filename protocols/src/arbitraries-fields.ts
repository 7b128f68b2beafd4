/**
 * Field-level arbitraries for ./arbitraries.ts: times, ids, positions, texts and fixes that look
 * like the Urad banners most of the time and sit on the schema's edges some of the time.
 * Test-only (loads fast-check).
 */
import fc from 'fast-check';
import { EPOCH_MAX_MS, EPOCH_MIN_MS } from './common.ts';
import { dec, idCharsArb, mnTextArb, phoneArb, segmentArb, shortText } from './arbitraries-util.ts';
import type { CompactFix, Fix } from './kinds/pos.ts';
import { RESERVED_IDS } from './topics.ts';

export { phoneArb };

/** A realistic window (2024-01-01 .. 2030-01-01) within the bounds of `epochMsSchema`. */
const REAL_FROM_MS = 1_704_067_200_000;
const REAL_TO_MS = 1_893_456_000_000;
const BANNERS = ['150824', '150825'] as const;

/** Epoch ms: mostly 2024..2030, sometimes exactly on the schema's bounds. */
export const epochMsArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: REAL_FROM_MS, max: REAL_TO_MS }) },
  { weight: 1, arbitrary: fc.constantFrom(EPOCH_MIN_MS, EPOCH_MAX_MS) },
);
/** Epoch ms safe to add a few weeks to (used as a base for derived times). */
export const baseMsArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: REAL_FROM_MS, max: REAL_TO_MS }) },
  { weight: 1, arbitrary: fc.constant(EPOCH_MIN_MS) },
);

/** Any id segment `idSegmentSchema` accepts (1-64 chars, starts alphanumeric), reserved words included. */
export const idSegmentArb: fc.Arbitrary<string> = segmentArb;

export const bannerArb = fc.constantFrom(...BANNERS);
export const num = (digits: number) =>
  fc.integer({ min: 0, max: 10 ** digits - 1 }).map((n) => String(n).padStart(digits, '0'));

/** Device ids: set-top boxes, patrol trackers, collar relays, or any valid non-reserved id. */
export const deviceIdArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(bannerArb, num(3), num(4)).map(([b, s, h]) => `stb-${b}-${s}-${h}`),
  fc.tuple(bannerArb, num(2)).map(([b, n]) => `trk-patrol-${b}-${n}`),
  fc
    .tuple(bannerArb, num(3), num(4), fc.constantFrom('a', 'b', 'c'))
    .map(([b, s, h, c]) => `col-${b}-${s}-${h}-${c}`),
  idSegmentArb.filter((id) => !(RESERVED_IDS as readonly string[]).includes(id)),
);

/** Administrative unit ids: league, banner, sumu, gacha, grid, or any valid id. */
export const unitIdArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('150800', ...BANNERS),
  fc.tuple(bannerArb, num(3)).map(([b, s]) => `${b}-${s}`),
  fc.tuple(bannerArb, num(3), num(3), num(2)).map(([b, s, g, n]) => `${b}-${s}-${g}-${n}`),
  idSegmentArb,
);

/** Worker (person) ids. */
export const workerIdArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(bannerArb, num(4)).map(([b, n]) => `w-${b}-${n}`),
  idSegmentArb,
);

const ULID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ulidArb = fc.string({ unit: fc.constantFrom(...ULID_ALPHABET), minLength: 26, maxLength: 26 });

/** Message ids (idempotency keys): ULIDs, `{deviceId}:{kind}:{seq}`, or any valid id. */
export const messageIdArb: fc.Arbitrary<string> = fc.oneof(
  ulidArb,
  fc
    .tuple(deviceIdArb, fc.constantFrom('sos', 'pos', 'grz', 'hb', 'rcp'), fc.nat())
    .map(([d, k, n]) => `${d}:${k}:${n}`)
    .filter((id) => id.length <= 64),
  idCharsArb,
);

/** A position: mostly inside the two banners, sometimes anywhere on Earth (bounds included). */
export const positionArb = fc.record(
  {
    lat: fc.oneof({ weight: 6, arbitrary: dec(41, 42.7, 6) }, { weight: 1, arbitrary: dec(-90, 90, 6) }),
    lon: fc.oneof(
      { weight: 6, arbitrary: dec(105.8, 109.2, 6) },
      { weight: 1, arbitrary: dec(-180, 180, 6) },
    ),
    acc: fc.oneof({ weight: 6, arbitrary: dec(0, 50, 1) }, { weight: 1, arbitrary: dec(0, 100_000, 0) }),
  },
  { requiredKeys: ['lat', 'lon'] },
);

const ZH = [
  '暴雪预警：请将牲畜赶回棚圈。',
  '网格员已收到求救，正在赶来。',
  '羊群走失，请协助寻找。',
  '明日有大风降温。',
  '误按',
];
const MN = ['ᠴᠠᠰᠤᠨ ᠵᠤᠳ', 'ᠮᠠᠯ ᠢᠶᠠᠨ ᠬᠤᠷᠢᠶ᠎ᠠ ᠳᠤ ᠣᠷᠣᠭᠤᠯ', 'ᠢᠷᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ᠃'];
const EN = [
  'Blizzard warning: bring livestock into shelters.',
  'Your SOS has been received.',
  'Strong wind tomorrow.',
];

/** Texts in zh/mn/en: realistic phrases, random script of the right kind, or arbitrary Unicode. */
export const textsArb = fc.record({
  zh: fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...ZH) }, shortText(1, 300)),
  mn: fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...MN) }, mnTextArb, shortText(1, 300)),
  en: fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...EN) }, fc.string({ minLength: 1, maxLength: 300 })),
});

export const noteArb = fc.oneof(
  fc.constantFrom('羊群被困，家里老人发烧', '误按', 'ᠲᠤᠰᠠᠯᠠᠮᠵᠢ', ''),
  shortText(0, 500),
);
export const nameArb = fc.oneof(
  fc.constantFrom('巴特尔', '其其格', '乌力吉', '萨仁', '王建国', '李海燕', '额尔敦'),
  shortText(1, 120),
);
export const roleArb = fc.oneof(
  fc.constantFrom('grid-worker', 'grid-leader', 'village-secretary', 'police-station', 'banner-command'),
  shortText(1, 64),
);
export const powerArb = fc.constantFrom('mains', 'battery', 'solar');
export const batteryArb = dec(0, 100, 1);

/** One fix in compact form, with the decimals packFixes keeps. */
export const compactFixArb: fc.Arbitrary<CompactFix> = fc.tuple(
  fc.oneof(fc.integer({ min: 0, max: 3_600_000 }), fc.constantFrom(0, 86_400_000)),
  positionArb.map((p) => p.lat),
  positionArb.map((p) => p.lon),
  fc.option(dec(-500, 9000, 1)),
  fc.option(dec(0, 100, 1)),
  fc.option(dec(0, 150, 2)),
  fc.option(dec(0, 360, 1)),
);

/** A fix as code works with it, at any precision, times within one day of `t0Ms`. */
export const fixArb = (t0Ms: number): fc.Arbitrary<Fix> =>
  fc.record(
    {
      t: fc.integer({ min: t0Ms, max: t0Ms + 86_400_000 }),
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      lon: fc.double({ min: -180, max: 180, noNaN: true }),
      alt: fc.double({ min: -500, max: 9000, noNaN: true }),
      hdop: fc.double({ min: 0, max: 100, noNaN: true }),
      speed: fc.double({ min: 0, max: 150, noNaN: true }),
      course: fc.double({ min: 0, max: 360, noNaN: true }),
    },
    { requiredKeys: ['t', 'lat', 'lon'] },
  );
