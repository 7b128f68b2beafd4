import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceIdArb, idSegmentArb } from './arbitraries.ts';
import { isValidId } from './ids.ts';
import { err, ok, type Result } from './result.ts';
import {
  DOWN_KINDS,
  type DownKind,
  type ParsedTopic,
  parseTopic,
  RESERVED_IDS,
  TOPIC_MAX_LENGTH,
  type TopicError,
  type TopicErrorCode,
  UP_KINDS,
  type UpKind,
} from './topics.ts';

/** parseTopic as it was before its fast path, kept verbatim as the reference. */
const PREFIX = 'sl/v1/';
const isUpKind = (k: string): k is UpKind => (UP_KINDS as readonly string[]).includes(k);
const isDownKind = (k: string): k is DownKind => (DOWN_KINDS as readonly string[]).includes(k);
const isReserved = (id: string): boolean => (RESERVED_IDS as readonly string[]).includes(id);
const isValidDeviceId = (id: string): boolean => isValidId(id) && !isReserved(id);
const fail = (code: TopicErrorCode, topic: string, message: string) =>
  err<TopicError>({ code, topic: topic.length > 80 ? `${topic.slice(0, 80)}…` : topic, message });
function referenceParseTopic(topic: string): Result<ParsedTopic, TopicError> {
  if (typeof topic !== 'string') return fail('malformed', String(topic), 'topic must be a string');
  if (topic.length > TOPIC_MAX_LENGTH) {
    return fail('too_long', topic, `topic is longer than ${TOPIC_MAX_LENGTH} characters`);
  }
  if (!topic.startsWith(PREFIX)) return fail('foreign', topic, `topic does not start with ${PREFIX}`);
  const parts = topic.slice(PREFIX.length).split('/');
  const [a, b, c] = parts;
  if (a === undefined || b === undefined || parts.some((p) => p === '')) {
    return fail('malformed', topic, 'topic has empty or missing segments');
  }
  if (a === 'unit' || a === 'worker') {
    if (parts.length !== 3 || c === undefined)
      return fail('malformed', topic, `expected ${PREFIX}${a}/{id}/{kind}`);
    if (!isValidId(b)) return fail('bad_id', topic, `invalid ${a} id`);
    if (a === 'unit' && c === 'notice') return ok({ type: 'unit-notice', unitId: b });
    if (a === 'worker' && c === 'alert') return ok({ type: 'worker-alert', workerId: b });
    if (a === 'worker' && c === 'ack') return ok({ type: 'worker-ack', workerId: b });
    return fail('unknown_kind', topic, `unknown ${a} topic kind ${JSON.stringify(c)}`);
  }
  if (!isValidDeviceId(a)) return fail('bad_id', topic, 'invalid device id');
  if (parts.length === 2) {
    return isUpKind(b)
      ? ok({ type: 'up', deviceId: a, kind: b })
      : fail(
          'unknown_kind',
          topic,
          `unknown upstream kind ${JSON.stringify(b)}; expected one of ${UP_KINDS.join(', ')}`,
        );
  }
  if (parts.length === 3 && b === 'down' && c !== undefined) {
    return isDownKind(c)
      ? ok({ type: 'down', deviceId: a, kind: c })
      : fail(
          'unknown_kind',
          topic,
          `unknown downstream kind ${JSON.stringify(c)}; expected one of ${DOWN_KINDS.join(', ')}`,
        );
  }
  return fail('malformed', topic, 'expected sl/v1/{deviceId}/{kind} or sl/v1/{deviceId}/down/{kind}');
}

const NEAR_KINDS = [...UP_KINDS, ...DOWN_KINDS].flatMap((k) => [
  k.toUpperCase(),
  `x${k.slice(1)}`,
  `${k.slice(0, -1)}x`,
  `${k}x`,
  `x${k}`,
  k.slice(1),
  k.slice(0, -1),
]);
const segmentArb = fc.oneof(
  deviceIdArb,
  idSegmentArb,
  fc.constantFrom(...UP_KINDS, ...DOWN_KINDS, ...RESERVED_IDS, 'notice', 'alert', 'ack'),
  fc.constantFrom('', '+', '#', ' ', 'h', 'ab', 'os', 'oss', 'pos ', 'razing', 'eceipt', 'Receipt'),
  // kinds one character off, and ids that contain a kind
  fc.constantFrom(...NEAR_KINDS),
  fc.constantFrom(...UP_KINDS).map((k) => `${k}-1`),
  fc.constantFrom('a'.repeat(64), 'a'.repeat(65), '-a', '.a', 'a b', 'a+b', 'é', '$SYS'),
  fc.string({ maxLength: 8 }),
);
/** Topics near the shapes parseTopic knows: right and wrong prefixes, 0-4 segments, long ones. */
const topicArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.oneof(deviceIdArb, segmentArb),
        fc.oneof(fc.constantFrom(...UP_KINDS), fc.constantFrom(...NEAR_KINDS), segmentArb),
      )
      .map(([id, kind]) => `sl/v1/${id}/${kind}`),
  },
  fc
    .tuple(
      fc.constantFrom('sl/v1/', 'sl/v1/', 'sl/v1/', 'sl/v2/', 'SL/v1/', 'sl/v1', '/sl/v1/', ''),
      fc.array(segmentArb, { maxLength: 4 }),
      fc.constantFrom('', '', '/', '/#'),
      fc.constantFrom(0, 0, TOPIC_MAX_LENGTH),
    )
    .map(([prefix, segments, tail, padTo]) => {
      const t = `${prefix}${segments.join('/')}${tail}`;
      // pad the first segment so the topic lands exactly on, or one past, the length limit
      return padTo && t.startsWith('sl/v1/')
        ? t.replace('sl/v1/', `sl/v1/${'a'.repeat(Math.max(0, padTo - t.length))}`)
        : t;
    }),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

describe('parseTopic fast path', () => {
  it('gives exactly what the full parse gives, results and errors alike', () => {
    fc.assert(
      fc.property(topicArb, fc.boolean(), (topic, longer) => {
        const t = longer && topic.length === TOPIC_MAX_LENGTH ? `${topic}a` : topic;
        expect(parseTopic(t)).toStrictEqual(referenceParseTopic(t));
      }),
      { numRuns: 5000 },
    );
  });

  it('takes every upstream kind, and leaves reserved ids and lengths to the full parse', () => {
    const id = 'stb-150824-104-0007';
    for (const kind of UP_KINDS) {
      expect(parseTopic(`sl/v1/${id}/${kind}`)).toStrictEqual({
        ok: true,
        value: { type: 'up', deviceId: id, kind },
      });
    }
    const cases = [
      ...RESERVED_IDS.map((r) => `sl/v1/${r}/hb`),
      `sl/v1/${'a'.repeat(64)}/pos`,
      `sl/v1/${'a'.repeat(65)}/pos`,
      `sl/v1/${'a'.repeat(TOPIC_MAX_LENGTH - 9)}/pos`,
      `sl/v1/${'a'.repeat(TOPIC_MAX_LENGTH - 8)}/pos`,
      'sl/v1//hb',
      'sl/v1/a/hb/',
      'sl/v1/a/xhb',
      'sl/v1/a/receipt',
      'sl/v1/-a/hb',
    ];
    for (const t of cases) expect(parseTopic(t), t).toStrictEqual(referenceParseTopic(t));
    for (const x of [undefined, null, 42, {}]) {
      expect(parseTopic(x as never)).toStrictEqual(referenceParseTopic(x as never));
    }
  });
});
