import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceIdArb, idSegmentArb } from './arbitraries.ts';
import { DOWN_KINDS, parseTopic, parseTopicFully, RESERVED_IDS, TOPIC_MAX_LENGTH, UP_KINDS } from './topics.ts';

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
        expect(parseTopic(t)).toStrictEqual(parseTopicFully(t));
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
    for (const t of cases) expect(parseTopic(t), t).toStrictEqual(parseTopicFully(t));
    for (const x of [undefined, null, 42, {}]) {
      expect(parseTopic(x as never)).toStrictEqual(parseTopicFully(x as never));
    }
  });
});
