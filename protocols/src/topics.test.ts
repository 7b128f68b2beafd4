import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceIdArb, unitIdArb, workerIdArb } from './arbitraries.ts';
import {
  DOWN_KINDS,
  downTopic,
  downWildcard,
  type ParsedTopic,
  parseTopic,
  RESERVED_IDS,
  TOPIC_ERROR_CODES,
  TOPIC_MAX_LENGTH,
  UP_KINDS,
  type UpKind,
  unitNoticeTopic,
  upTopic,
  workerAckTopic,
  workerReplyTopic,
  workerAlertTopic,
} from './topics.ts';

/** Builds the topic a parse result came from. */
function build(p: ParsedTopic): string {
  switch (p.type) {
    case 'up':
      return upTopic(p.deviceId, p.kind);
    case 'down':
      return downTopic(p.deviceId, p.kind);
    case 'unit-notice':
      return unitNoticeTopic(p.unitId);
    case 'worker-alert':
      return workerAlertTopic(p.workerId);
    case 'worker-ack':
      return workerAckTopic(p.workerId);
    case 'worker-reply':
      return workerReplyTopic(p.workerId);
  }
}

const parsedArb: fc.Arbitrary<ParsedTopic> = fc.oneof(
  fc.record({ type: fc.constant('up' as const), deviceId: deviceIdArb, kind: fc.constantFrom(...UP_KINDS) }),
  fc.record({
    type: fc.constant('down' as const),
    deviceId: deviceIdArb,
    kind: fc.constantFrom(...DOWN_KINDS),
  }),
  fc.record({ type: fc.constant('unit-notice' as const), unitId: unitIdArb }),
  fc.record({ type: fc.constant('worker-alert' as const), workerId: workerIdArb }),
  fc.record({ type: fc.constant('worker-ack' as const), workerId: workerIdArb }),
  fc.record({ type: fc.constant('worker-reply' as const), workerId: workerIdArb }),
);

/** Invalid ids: MQTT wildcards and separators, spaces, empty, too long, bad first character. */
const badIdArb = fc.oneof(
  fc.constantFrom(
    '',
    '+',
    '#',
    'a+b',
    'a#',
    'a/b',
    '/',
    'a b',
    ' a',
    'a\t',
    '-lead',
    '.x',
    '$SYS',
    '羊',
    'a\u0000',
  ),
  fc.string({ unit: fc.constantFrom('a', '7', '-'), minLength: 65, maxLength: 120 }).map((s) => `a${s}`),
  fc
    .tuple(fc.string({ maxLength: 10 }), fc.constantFrom('+', '#', '/', ' '), fc.string({ maxLength: 10 }))
    .map((p) => p.join('')),
);

const expectTopicError = (topic: string, codes?: string[]): void => {
  const r = parseTopic(topic);
  expect(r.ok, topic).toBe(false);
  if (r.ok) return;
  expect(TOPIC_ERROR_CODES).toContain(r.error.code);
  if (codes) expect(codes, `${topic} → ${r.error.code}`).toContain(r.error.code);
  expect(r.error.message.length).toBeGreaterThan(0);
  expect(r.error.topic.length).toBeLessThanOrEqual(81);
};

describe('topics', () => {
  it('build → parse round-trips every topic family with any valid ids', () => {
    fc.assert(
      fc.property(parsedArb, (p) => {
        expect(parseTopic(build(p))).toEqual({ ok: true, value: p });
      }),
    );
  });

  it('builds the documented shapes', () => {
    expect(upTopic('stb-150824-104-0007', 'sos')).toBe('sl/v1/stb-150824-104-0007/sos');
    expect(downTopic('stb-150824-104-0007', 'sos-ack')).toBe('sl/v1/stb-150824-104-0007/down/sos-ack');
    expect(downWildcard('stb-150824-104-0007')).toBe('sl/v1/stb-150824-104-0007/down/#');
    expect(unitNoticeTopic('150824')).toBe('sl/v1/unit/150824/notice');
    expect(workerAlertTopic('w-150824-0031')).toBe('sl/v1/worker/w-150824-0031/alert');
    expect(workerAckTopic('w-150824-0031')).toBe('sl/v1/worker/w-150824-0031/ack');
  });

  it('parseTopic never throws on arbitrary strings, and whatever it accepts rebuilds to the same topic', () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'sl',
        'v1',
        'v2',
        'unit',
        'worker',
        'down',
        'hub',
        '',
        '+',
        '#',
        ...UP_KINDS,
        ...DOWN_KINDS,
        'alert',
        'ack',
        'notice',
      ),
      deviceIdArb,
      fc.string({ maxLength: 8 }),
    );
    const topicArb = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.array(segment, { maxLength: 7 }).map((s) => s.join('/')),
      fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `sl/v1/${s.join('/')}`),
    );
    fc.assert(
      fc.property(topicArb, (topic) => {
        const r = parseTopic(topic);
        if (r.ok) expect(build(r.value)).toBe(topic);
        else expectTopicError(topic);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses non-strings as malformed rather than throwing', () => {
    for (const t of [undefined, null, 42, {}, ['sl', 'v1']]) {
      expect(parseTopic(t as unknown as string)).toMatchObject({ ok: false, error: { code: 'malformed' } });
    }
  });

  it('rejects bad ids in every position, and builders throw a TypeError on them', () => {
    const kinds: UpKind[] = [...UP_KINDS];
    fc.assert(
      fc.property(badIdArb, fc.constantFrom(...kinds), (id, kind) => {
        for (const topic of [
          `sl/v1/${id}/${kind}`,
          `sl/v1/${id}/down/notice`,
          `sl/v1/unit/${id}/notice`,
          `sl/v1/worker/${id}/alert`,
        ]) {
          // An id with '/' shifts the segments: that is reported as malformed or unknown, still an error.
          expectTopicError(topic);
        }
        expect(() => upTopic(id, kind)).toThrow(TypeError);
        expect(() => downTopic(id, 'notice')).toThrow(TypeError);
        expect(() => downWildcard(id)).toThrow(TypeError);
        expect(() => unitNoticeTopic(id)).toThrow(TypeError);
        expect(() => workerAlertTopic(id)).toThrow(TypeError);
        expect(() => workerAckTopic(id)).toThrow(TypeError);
      }),
      { numRuns: 300 },
    );
  });

  it('gives precise codes for the common mistakes', () => {
    expectTopicError('sl/v1/a+b/hb', ['bad_id']);
    expectTopicError('sl/v1/#/hb', ['bad_id']);
    expectTopicError('sl/v1/+/down/notice', ['bad_id']);
    expectTopicError('sl/v1/#', ['malformed']);
    expectTopicError('sl/v1/a b/hb', ['bad_id']);
    expectTopicError(`sl/v1/${'a'.repeat(65)}/hb`, ['bad_id']);
    expectTopicError(`sl/v1/unit/${'1'.repeat(65)}/notice`, ['bad_id']);
    expectTopicError('sl/v1//hb', ['malformed']);
    expectTopicError('sl/v1/dev//down', ['malformed']);
    expectTopicError('sl/v1/unit//notice', ['malformed']);
    expectTopicError('sl/v1/dev/hb/', ['malformed']);
    expectTopicError('sl/v1/dev', ['malformed']);
    expectTopicError('sl/v1/dev/down/notice/extra', ['malformed']);
    expectTopicError('sl/v1/dev/weather', ['unknown_kind']);
    expectTopicError('sl/v1/dev/down/sos', ['unknown_kind']);
    expectTopicError('sl/v1/worker/w1/notice', ['unknown_kind']);
    expectTopicError('sl/v2/dev/hb', ['foreign']);
    expectTopicError('$SYS/broker/uptime', ['foreign']);
    expectTopicError('', ['foreign']);
    expectTopicError(`sl/v1/${'a'.repeat(TOPIC_MAX_LENGTH)}/hb`, ['too_long']);
  });

  it('refuses reserved words as device ids, in topics and builders', () => {
    for (const id of RESERVED_IDS) {
      // Never read as a device's topic (sl/v1/unit/down/notice is unit "down"'s notice topic).
      for (const topic of [`sl/v1/${id}/hb`, `sl/v1/${id}/down/notice`, `sl/v1/${id}/down/config`]) {
        const r = parseTopic(topic);
        expect(r.ok && (r.value.type === 'up' || r.value.type === 'down'), topic).toBe(false);
      }
      expectTopicError(`sl/v1/${id}/hb`, ['bad_id', 'malformed', 'unknown_kind']);
      expect(() => upTopic(id, 'hb')).toThrow(/reserved/);
      expect(() => downTopic(id, 'config')).toThrow(/reserved/);
    }
    // Reserved words are fine as unit or worker ids: the position in the topic disambiguates.
    expect(parseTopic(unitNoticeTopic('down'))).toMatchObject({ ok: true, value: { unitId: 'down' } });
  });

  it('builders refuse kinds that are not on the wire', () => {
    expect(() => upTopic('stb-1', 'notice' as UpKind)).toThrow(TypeError);
    expect(() => downTopic('stb-1', 'sos' as never)).toThrow(/use one of notice, sos-ack, config/);
  });
});
