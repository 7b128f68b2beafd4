/**
 * fast-check arbitraries producing VALID messages of every kind, with values that look like the
 * Urad border banners (乌拉特中旗 150824, 乌拉特后旗 150825, Bayannur 150800) most of the time and
 * schema edge values (bounds, exotic Unicode, generic ids) some of the time.
 *
 * Test-only: import from `@steppelink/protocols/arbitraries` (not re-exported by the package index,
 * so production code never loads fast-check).
 */
import fc from 'fast-check';
import { POS_MAX_FIXES } from './kinds/pos.ts';
import type { CompactFix, Fix } from './kinds/pos.ts';
import type { MessageInputOf, MessageKind } from './messages.ts';
import { RESERVED_IDS } from './topics.ts';
import {
  dec,
  idCharsArb,
  mnTextArb,
  phoneArb,
  segmentArb,
  shortText,
  timeWindowArb,
} from './arbitraries-util.ts';

export { mnTextArb, phoneArb } from './arbitraries-util.ts';

/** Bounds of `epochMsSchema` and a realistic window (2024-01-01 .. 2030-01-01) within them. */
const EPOCH_MIN_MS = 978_307_200_000;
const EPOCH_MAX_MS = 4_102_444_800_000;
const REAL_FROM_MS = 1_704_067_200_000;
const REAL_TO_MS = 1_893_456_000_000;
const BANNERS = ['150824', '150825'] as const;

/** Epoch ms: mostly 2024..2030, sometimes exactly on the schema's bounds. */
export const epochMsArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: REAL_FROM_MS, max: REAL_TO_MS }) },
  { weight: 1, arbitrary: fc.constantFrom(EPOCH_MIN_MS, EPOCH_MAX_MS) },
);
/** Epoch ms safe to add a few weeks to (used as a base for derived times). */
const baseMsArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: REAL_FROM_MS, max: REAL_TO_MS }) },
  { weight: 1, arbitrary: fc.constant(EPOCH_MIN_MS) },
);

/** Any id segment `idSegmentSchema` accepts (1-64 chars, starts alphanumeric), reserved words included. */
export const idSegmentArb: fc.Arbitrary<string> = segmentArb;

const bannerArb = fc.constantFrom(...BANNERS);
const num = (digits: number) =>
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

const noteArb = fc.oneof(
  fc.constantFrom('羊群被困，家里老人发烧', '误按', 'ᠲᠤᠰᠠᠯᠠᠮᠵᠢ', ''),
  shortText(0, 500),
);
const nameArb = fc.oneof(
  fc.constantFrom('巴特尔', '其其格', '乌力吉', '萨仁', '王建国', '李海燕', '额尔敦'),
  shortText(1, 120),
);
const roleArb = fc.oneof(
  fc.constantFrom('grid-worker', 'grid-leader', 'village-secretary', 'police-station', 'banner-command'),
  shortText(1, 64),
);
const powerArb = fc.constantFrom('mains', 'battery', 'solar');
const batteryArb = dec(0, 100, 1);

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

const envelope = { v: fc.constant(1 as const), id: messageIdArb, ts: epochMsArb };

const sosRaiseArb = fc.record(
  {
    ...envelope,
    action: fc.constant('raise' as const),
    category: fc.constantFrom(
      'medical',
      'injury',
      'fire',
      'lost-person',
      'livestock',
      'blizzard',
      'other',
      'unknown',
    ),
    pos: positionArb,
    power: fc.record({ source: powerArb, battery: batteryArb }, { requiredKeys: ['source'] }),
    note: noteArb,
    presses: fc.integer({ min: 1, max: 1000 }),
  },
  { requiredKeys: ['v', 'id', 'ts', 'action'] },
);
const sosCancelArb = fc.record(
  {
    ...envelope,
    action: fc.constant('cancel' as const),
    confirmed: fc.constant(true as const),
    raiseId: messageIdArb,
    note: noteArb,
  },
  { requiredKeys: ['v', 'id', 'ts', 'action', 'confirmed'] },
);
export const sosArb: fc.Arbitrary<MessageInputOf<'sos'>> = fc.oneof(
  { weight: 3, arbitrary: sosRaiseArb },
  sosCancelArb,
);

export const posArb: fc.Arbitrary<MessageInputOf<'pos'>> = fc.record(
  {
    ...envelope,
    t0: baseMsArb,
    src: fc.constantFrom('gpsd', 'nmea', 'sim', 'phone'),
    subject: fc.oneof(fc.constantFrom('herd-0007-sheep', 'col-0007-a'), shortText(1, 64)),
    fixes: fc.array(compactFixArb, { minLength: 1, maxLength: POS_MAX_FIXES }),
  },
  { requiredKeys: ['v', 'id', 'ts', 't0', 'fixes'] },
);

const sensorIdArb = fc.oneof(
  num(4).map((n) => `col-${n}-a`),
  num(4).map((n) => `wp-${n}-1`),
  shortText(1, 64),
);
export const grazingReadingArb: fc.Arbitrary<MessageInputOf<'grazing'>['readings'][number]> = fc.oneof(
  fc.record(
    {
      type: fc.constant('collar' as const),
      t: epochMsArb,
      collarId: sensorIdArb,
      battery: batteryArb,
      activity: dec(0, 100, 1),
      pos: positionArb,
    },
    { requiredKeys: ['type', 't', 'collarId', 'battery', 'activity'] },
  ),
  fc.record(
    {
      type: fc.constant('water' as const),
      t: epochMsArb,
      pointId: sensorIdArb,
      levelPct: dec(0, 100, 1),
      frozen: fc.boolean(),
    },
    { requiredKeys: ['type', 't', 'pointId', 'levelPct'] },
  ),
  fc.record(
    {
      type: fc.constant('gate' as const),
      t: epochMsArb,
      gateId: sensorIdArb,
      headCount: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.constant(100_000)),
      direction: fc.constantFrom('in', 'out', 'net'),
    },
    { requiredKeys: ['type', 't', 'gateId', 'headCount'] },
  ),
  fc.record(
    {
      type: fc.constant('motion' as const),
      t: epochMsArb,
      cameraId: sensorIdArb,
      events: fc.integer({ min: 0, max: 10_000 }),
      label: fc.constantFrom('animal', 'person', 'vehicle', 'unknown'),
    },
    { requiredKeys: ['type', 't', 'cameraId', 'events'] },
  ),
);

export const grazingArb: fc.Arbitrary<MessageInputOf<'grazing'>> = fc.record({
  ...envelope,
  readings: fc.array(grazingReadingArb, { minLength: 1, maxLength: 200 }),
});

export const hbArb: fc.Arbitrary<MessageInputOf<'hb'>> = fc.record(
  {
    ...envelope,
    agent: fc.tuple(fc.nat(9), fc.nat(30), fc.nat(99)).map(([a, b, c]) => `${a}.${b}.${c}`),
    fw: fc.oneof(fc.constantFrom('RaspiOS 12 arm64', 'OpenWrt 23.05', 'Android 13', ''), shortText(0, 64)),
    uptimeS: fc.oneof(fc.integer({ min: 0, max: 90 * 86_400 }), fc.constant(0)),
    power: powerArb,
    battery: batteryArb,
    rssi: fc.oneof(fc.integer({ min: -120, max: -50 }), fc.constantFrom(-150, 0)),
    outbox: fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 1_000_000 })),
    evicted: fc.integer({ min: 0, max: 100_000 }),
    clockOffsetMs: fc.integer({ min: -86_400_000, max: 86_400_000 }),
  },
  { requiredKeys: ['v', 'id', 'ts', 'agent', 'uptimeS', 'power', 'outbox'] },
);

export const receiptArb: fc.Arbitrary<MessageInputOf<'receipt'>> = fc.record({
  ...envelope,
  noticeId: messageIdArb,
  state: fc.constantFrom('delivered', 'read'),
});

const issuerNameArb = fc.oneof(
  fc.constantFrom('乌拉特中旗应急管理局', '乌拉特后旗气象局', '巴彦淖尔市应急管理局'),
  shortText(1, 120),
);
export const noticeArb: fc.Arbitrary<MessageInputOf<'notice'>> = fc
  .tuple(
    timeWindowArb(baseMsArb, 30 * 86_400_000),
    fc.record(
      {
        ...envelope,
        noticeId: messageIdArb,
        priority: fc.constantFrom('emergency', 'warning', 'information'),
        texts: textsArb,
        requireRead: fc.boolean(),
        audio: fc.oneof(fc.constantFrom('siren', 'chime', 'tts'), shortText(0, 200)),
        issuer: fc.record({ unitId: unitIdArb, name: issuerNameArb }),
      },
      { requiredKeys: ['v', 'id', 'ts', 'noticeId', 'priority', 'texts'] },
    ),
  )
  .map(([[validFrom, expiresAt], rest]) => ({ ...rest, validFrom, expiresAt }));

export const sosAckArb: fc.Arbitrary<MessageInputOf<'sos-ack'>> = fc.record(
  {
    ...envelope,
    incidentId: messageIdArb,
    sosId: messageIdArb,
    state: fc.constantFrom(
      'open',
      'notified',
      'acknowledged',
      'dispatched',
      'resolved',
      'cancelled',
      'false-alarm',
    ),
    by: fc.record({ name: nameArb, role: roleArb, phone: phoneArb }, { requiredKeys: ['name', 'role'] }),
    rescue: fc.constantFrom('helicopter', 'ambulance', 'patrol', 'neighbour', 'worker'),
    texts: textsArb,
  },
  { requiredKeys: ['v', 'id', 'ts', 'incidentId', 'sosId', 'state', 'texts'] },
);

export const configArb: fc.Arbitrary<MessageInputOf<'config'>> = fc.record(
  {
    ...envelope,
    hbIntervalS: fc.integer({ min: 10, max: 86_400 }),
    posIntervalS: fc.integer({ min: 1, max: 3600 }),
    byteBudgetPerMin: fc.integer({ min: 256, max: 10_000_000 }),
    lang: fc.constantFrom('zh', 'mn', 'en'),
  },
  { requiredKeys: ['v', 'id', 'ts'] },
);

export const alertArb: fc.Arbitrary<MessageInputOf<'alert'>> = fc
  .tuple(
    timeWindowArb(baseMsArb, 3_600_000),
    fc.record(
      {
        ...envelope,
        incidentId: messageIdArb,
        source: fc.constantFrom('sos', 'rule', 'report', 'task'),
        category: fc.oneof(
          fc.constantFrom('blizzard', 'medical', 'geofence', 'offline', 'border-drift'),
          shortText(1, 64),
        ),
        severity: fc.constantFrom('critical', 'high', 'medium', 'low'),
        summary: textsArb,
        unit: fc.record({
          id: unitIdArb,
          name: fc.oneof(fc.constantFrom('巴音哈太嘎查三组', '乌拉特后旗'), shortText(1, 120)),
        }),
        household: fc.record(
          {
            id: fc.tuple(bannerArb, num(4)).map(([b, n]) => `hh-${b}-104-${n}`),
            name: nameArb,
            phone: phoneArb,
          },
          { requiredKeys: ['id', 'name'] },
        ),
        pos: positionArb,
        level: fc.integer({ min: 0, max: 10 }),
        role: roleArb,
        lateMs: fc.integer({ min: 0, max: 7 * 86_400_000 }),
        reminder: fc.integer({ min: 0, max: 20 }),
      },
      {
        requiredKeys: [
          'v',
          'id',
          'ts',
          'incidentId',
          'source',
          'category',
          'severity',
          'summary',
          'unit',
          'level',
          'role',
        ],
      },
    ),
  )
  .map(([[openedAt, ackBy], rest]) => ({ ...rest, openedAt, ackBy }));

export const workerAckArb: fc.Arbitrary<MessageInputOf<'worker-ack'>> = fc.record(
  { ...envelope, incidentId: messageIdArb, action: fc.constantFrom('ack', 'decline'), note: noteArb },
  { requiredKeys: ['v', 'id', 'ts', 'incidentId'] },
);

/** The arbitrary for each kind, by kind name. */
export const messageArbs: { [K in MessageKind]: fc.Arbitrary<MessageInputOf<K>> } = {
  sos: sosArb,
  pos: posArb,
  grazing: grazingArb,
  hb: hbArb,
  receipt: receiptArb,
  notice: noticeArb,
  'sos-ack': sosAckArb,
  config: configArb,
  alert: alertArb,
  'worker-ack': workerAckArb,
};

/** A valid message of any kind, with its kind. */
export type AnyMessage = { [K in MessageKind]: { kind: K; message: MessageInputOf<K> } }[MessageKind];
export const anyMessageArb: fc.Arbitrary<AnyMessage> = fc.oneof(
  ...(Object.keys(messageArbs) as MessageKind[]).map((kind) =>
    (messageArbs[kind] as fc.Arbitrary<MessageInputOf<typeof kind>>).map(
      (message) => ({ kind, message }) as AnyMessage,
    ),
  ),
);
