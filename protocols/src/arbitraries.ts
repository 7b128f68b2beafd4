/**
 * fast-check arbitraries producing VALID messages of every kind, with values that look like the
 * Urad border banners (乌拉特中旗 150824, 乌拉特后旗 150825, Bayannur 150800) most of the time and
 * schema edge values (bounds, exotic Unicode, generic ids) some of the time.
 *
 * Test-only: import from `@steppelink/protocols/arbitraries` (not re-exported by the package index,
 * so production code never loads fast-check).
 */
import fc from 'fast-check';
import {
  bannerArb,
  baseMsArb,
  batteryArb,
  compactFixArb,
  epochMsArb,
  messageIdArb,
  nameArb,
  noteArb,
  num,
  positionArb,
  powerArb,
  roleArb,
  textsArb,
  unitIdArb,
} from './arbitraries-fields.ts';
import { dec, phoneArb, shortText, timeWindowArb } from './arbitraries-util.ts';
import { POS_MAX_FIXES } from './kinds/pos.ts';
import { CANNED_REPLIES, SHORT_TEXT_MAX_CHARS, shortTextProblem } from './kinds/sos-reply.ts';
import type { MessageInputOf, MessageKind } from './messages.ts';

export {
  compactFixArb,
  deviceIdArb,
  epochMsArb,
  fixArb,
  idSegmentArb,
  messageIdArb,
  positionArb,
  textsArb,
  unitIdArb,
  workerIdArb,
} from './arbitraries-fields.ts';
export { mnTextArb, phoneArb } from './arbitraries-util.ts';

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
    storage: fc.constantFrom('ok' as const, 'full' as const, 'failing' as const),
    refused: fc.integer({ min: 0, max: 1_000_000 }),
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

/** Text a `shortTextSchema` accepts: realistic replies, or any one-line Unicode within the limits. */
export const shortTextArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '老人发高烧，路被雪堵了',
      '马上到，20分钟',
      'ᠡᠮᠴᠢ ᠢᠷᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ',
      'on our way, 20 min',
      '羊圈塌了',
    ),
  },
  shortText(1, SHORT_TEXT_MAX_CHARS).filter((s) => shortTextProblem(s) === undefined),
);
const cannedArb = fc.constantFrom(...CANNED_REPLIES);

export const sosReplyArb: fc.Arbitrary<MessageInputOf<'sos-reply'>> = fc.oneof(
  fc
    .tuple(
      fc.record(
        { ...envelope, type: fc.constant('say' as const), sosId: messageIdArb, incidentId: messageIdArb },
        { requiredKeys: ['v', 'id', 'ts', 'type', 'sosId'] },
      ),
      fc.oneof(
        fc.record({ canned: cannedArb }),
        fc.record({ text: shortTextArb }),
        fc.record({ canned: cannedArb, text: shortTextArb }),
      ),
    )
    .map(([a, b]) => ({ ...a, ...b })),
  fc.record(
    {
      ...envelope,
      type: fc.constant('read' as const),
      sosId: messageIdArb,
      incidentId: messageIdArb,
      messageId: messageIdArb,
    },
    { requiredKeys: ['v', 'id', 'ts', 'type', 'sosId', 'messageId'] },
  ),
);

export const sosMsgArb: fc.Arbitrary<MessageInputOf<'sos-msg'>> = fc.record(
  {
    ...envelope,
    incidentId: messageIdArb,
    sosId: messageIdArb,
    from: fc.record({ name: nameArb, role: roleArb }),
    text: shortTextArb,
    drill: fc.constant(true as const),
  },
  { requiredKeys: ['v', 'id', 'ts', 'incidentId', 'sosId', 'from', 'text'] },
);

export const workerReplyArb: fc.Arbitrary<MessageInputOf<'worker-reply'>> = fc.oneof(
  fc.record({ ...envelope, type: fc.constant('say' as const), incidentId: messageIdArb, text: shortTextArb }),
  fc.record({
    ...envelope,
    type: fc.constant('read' as const),
    incidentId: messageIdArb,
    messageId: messageIdArb,
  }),
);

/** The arbitrary for each kind, by kind name. */
export const messageArbs: { [K in MessageKind]: fc.Arbitrary<MessageInputOf<K>> } = {
  sos: sosArb,
  pos: posArb,
  grazing: grazingArb,
  hb: hbArb,
  receipt: receiptArb,
  'sos-reply': sosReplyArb,
  'sos-msg': sosMsgArb,
  notice: noticeArb,
  'sos-ack': sosAckArb,
  config: configArb,
  alert: alertArb,
  'worker-ack': workerAckArb,
  'worker-reply': workerReplyArb,
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
