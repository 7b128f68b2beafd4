import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyMessageArb, messageArbs } from './arbitraries.ts';
import { decode, encodeOrThrow, validate } from './codec.ts';
import { WIRE_ERROR_CODES, type WireError } from './errors.ts';
import { MESSAGE_KINDS, type MessageKind } from './messages.ts';

type Obj = Record<string, unknown>;
const kindArb = fc.constantFrom(...MESSAGE_KINDS);
/** A valid message, parsed back from its wire form, as a plain object to mutate. */
const wireMessageArb = anyMessageArb.map(({ kind, message }) => ({
  kind,
  message: JSON.parse(encodeOrThrow(kind, message as never).toString()) as Obj,
}));

/** Required top-level fields per kind, besides v, id and ts. Kept by hand: a field turning optional is a contract change. */
const REQUIRED: Record<MessageKind, string[]> = {
  sos: ['action'],
  pos: ['t0', 'fixes'],
  grazing: ['readings'],
  hb: ['agent', 'uptimeS', 'power', 'outbox'],
  receipt: ['noticeId', 'state'],
  'sos-reply': ['type', 'sosId'],
  'sos-msg': ['incidentId', 'sosId', 'from', 'text'],
  notice: ['noticeId', 'priority', 'validFrom', 'expiresAt', 'texts'],
  'sos-ack': ['incidentId', 'sosId', 'state', 'texts'],
  config: [],
  alert: [
    'incidentId',
    'source',
    'category',
    'severity',
    'summary',
    'unit',
    'level',
    'role',
    'ackBy',
    'openedAt',
  ],
  'worker-ack': ['incidentId'],
  'worker-reply': ['type', 'incidentId'],
};

/** A refusal is data: a known code, a path, a message. Never a throw. */
function expectWireError(result: { ok: boolean; error?: WireError }): WireError {
  expect(result.ok).toBe(false);
  const e = result.error!;
  expect(WIRE_ERROR_CODES).toContain(e.code);
  expect(Array.isArray(e.path)).toBe(true);
  expect(typeof e.message === 'string' && e.message.length > 0).toBe(true);
  return e;
}
const expectSchemaErrorAt = (result: { ok: boolean; error?: WireError }, key: string): void => {
  const e = expectWireError(result);
  expect(e.code).toBe('schema');
  expect(e.path[0]).toBe(key);
  expect(e.issues?.length).toBeGreaterThan(0);
};

describe('decode never throws on junk', () => {
  it('refuses random bytes', () => {
    fc.assert(
      fc.property(
        kindArb,
        fc.uint8Array({ maxLength: 2048 }),
        (kind, b) => void expectWireError(decode(kind, b)),
      ),
    );
  });
  it('refuses random strings', () => {
    fc.assert(
      fc.property(
        kindArb,
        fc.string({ unit: 'binary', maxLength: 512 }),
        (kind, s) => void expectWireError(decode(kind, s)),
      ),
    );
  });
  it('refuses random JSON values', () => {
    fc.assert(
      fc.property(
        kindArb,
        fc.jsonValue(),
        (kind, j) => void expectWireError(decode(kind, JSON.stringify(j) ?? 'null')),
      ),
    );
  });
  it('validate refuses any JS value, even ones JSON cannot hold', () => {
    const weird = fc.oneof(
      fc.anything({
        withBigInt: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withTypedArray: true,
      }),
      fc.record({ v: fc.anything({ withBigInt: true }) }),
    );
    fc.assert(fc.property(kindArb, weird, (kind, value) => void expectWireError(validate(kind, value))));
    const cyclic: Obj = { id: 'x' };
    cyclic.v = cyclic;
    expect(validate('hb', cyclic)).toMatchObject({ ok: false, error: { code: 'unsupported_version' } });
  });
  it('refuses deeply nested JSON without overflowing the stack', () => {
    const depth = 30_000;
    expectWireError(decode('hb', `${'['.repeat(depth)}${']'.repeat(depth)}`));
    const nested = `{"v":1,"id":"a","ts":1764028800000,"agent":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(decode('hb', nested)).toMatchObject({ ok: false, error: { code: 'schema' } });
  });
  it('refuses non-objects as not_object', () => {
    for (const p of ['null', '1', '"sos"', 'true', '[]', '[{"v":1}]']) {
      expect(decode('sos', p)).toMatchObject({ ok: false, error: { code: 'not_object' } });
    }
  });
  it('refuses truncated messages as not_json', () => {
    fc.assert(
      fc.property(wireMessageArb, fc.nat(), ({ kind, message }, cut) => {
        const text = JSON.stringify(message);
        expect(decode(kind, text.slice(0, cut % text.length))).toMatchObject({
          ok: false,
          error: { code: 'not_json' },
        });
      }),
    );
  });
});

describe('mutated valid messages are refused with the right code', () => {
  it('a required field dropped → schema error at that field (v → unsupported_version)', () => {
    fc.assert(
      fc.property(wireMessageArb, fc.nat(), ({ kind, message }, n) => {
        const fields = ['v', 'id', 'ts', ...REQUIRED[kind]];
        const field = fields[n % fields.length]!;
        const { [field]: _, ...rest } = message;
        const r = decode(kind, JSON.stringify(rest));
        if (field === 'v')
          expect(r).toMatchObject({ ok: false, error: { code: 'unsupported_version', path: ['v'] } });
        else expectSchemaErrorAt(r, field);
      }),
    );
  });

  const wrongType = (x: unknown): unknown =>
    typeof x === 'string'
      ? 12345
      : typeof x === 'number'
        ? String(x)
        : typeof x === 'boolean'
          ? 'yes'
          : 'text';

  it('any field with a value of the wrong type → schema error at that field', () => {
    fc.assert(
      fc.property(wireMessageArb, fc.nat(), ({ kind, message }, n) => {
        const keys = Object.keys(message).filter((k) => k !== 'v');
        const key = keys[n % keys.length]!;
        expectSchemaErrorAt(
          decode(kind, JSON.stringify({ ...message, [key]: wrongType(message[key]) })),
          key,
        );
      }),
    );
  });

  it('any field wrapped in an extra level of nesting → schema error at that field', () => {
    fc.assert(
      fc.property(wireMessageArb, fc.nat(), fc.boolean(), ({ kind, message }, n, asArray) => {
        const keys = Object.keys(message).filter((k) => k !== 'v');
        const key = keys[n % keys.length]!;
        const nested = asArray ? [message[key]] : { value: message[key] };
        expectSchemaErrorAt(decode(kind, JSON.stringify({ ...message, [key]: nested })), key);
      }),
    );
  });

  it('the whole message nested in an envelope or array is refused', () => {
    fc.assert(
      fc.property(wireMessageArb, ({ kind, message }) => {
        expect(decode(kind, JSON.stringify({ message }))).toMatchObject({
          ok: false,
          error: { code: 'unsupported_version' },
        });
        expect(decode(kind, JSON.stringify([message]))).toMatchObject({
          ok: false,
          error: { code: 'not_object' },
        });
      }),
      { numRuns: 30 },
    );
  });

  it('v other than 1 → unsupported_version naming v=1', () => {
    const badV = fc.oneof(
      fc.integer().filter((v) => v !== 1),
      fc.constantFrom('1', null, true, 1.0001),
    );
    fc.assert(
      fc.property(wireMessageArb, badV, ({ kind, message }, v) => {
        const r = decode(kind, JSON.stringify({ ...message, v }));
        expect(r).toMatchObject({ ok: false, error: { code: 'unsupported_version', path: ['v'] } });
        expect(!r.ok && r.error.message).toContain('v=1');
      }),
    );
  });

  it('bad ids → schema error at id', () => {
    const badId = fc.oneof(
      fc.constantFrom('', 'a/b', 'sl/v1/x', 'a b', 'a+b', '#', 'ünïcode', '\u0000'),
      fc.string({ minLength: 65, maxLength: 200, unit: fc.constantFrom('a', '1', '-') }),
    );
    fc.assert(
      fc.property(wireMessageArb, badId, ({ kind, message }, id) =>
        expectSchemaErrorAt(decode(kind, JSON.stringify({ ...message, id })), 'id'),
      ),
    );
  });

  it('ts in seconds (or not an integer) → schema error at ts that says milliseconds', () => {
    fc.assert(
      fc.property(wireMessageArb, ({ kind, message }) => {
        const r = decode(kind, JSON.stringify({ ...message, ts: Math.floor((message.ts as number) / 1000) }));
        expectSchemaErrorAt(r, 'ts');
        expect(!r.ok && r.error.message).toMatch(/milliseconds/);
        expectSchemaErrorAt(
          decode(kind, JSON.stringify({ ...message, ts: (message.ts as number) + 0.5 })),
          'ts',
        );
      }),
    );
  });

  it('oversize strings → schema error at the string', () => {
    const long = (n: number) => '草'.repeat(n);
    const cases: [MessageKind, Obj, (string | number)[]][] = [
      ['sos', { note: long(501) }, ['note']],
      ['notice', { texts: { zh: long(2001), mn: 'ᠮ', en: 'x' } }, ['texts', 'zh']],
      ['notice', { audio: long(201) }, ['audio']],
      ['hb', { agent: long(33) }, ['agent']],
      ['alert', { unit: { id: '150824', name: long(121) } }, ['unit', 'name']],
      ['worker-ack', { note: long(501) }, ['note']],
      ['pos', { subject: long(65) }, ['subject']],
    ];
    for (const [kind, patch, path] of cases) {
      const [base] = fc.sample(messageArbs[kind] as fc.Arbitrary<Obj>, { numRuns: 1, seed: 7 });
      const message = kind === 'sos' ? { ...base, action: 'raise' } : base;
      const r = decode(kind, JSON.stringify({ ...message, ...patch }));
      expect(r, `${kind} ${path.join('.')}`).toMatchObject({ ok: false, error: { code: 'schema', path } });
    }
  });

  it('semantic rules: a cancel needs confirmation, a notice must expire after it starts', () => {
    const cancel = { v: 1, id: 'c1', ts: 1_764_028_800_000, action: 'cancel', confirmed: false };
    const r = decode('sos', JSON.stringify(cancel));
    expect(r).toMatchObject({ ok: false, error: { code: 'schema', path: ['confirmed'] } });
    expect(!r.ok && r.error.message).toMatch(/second confirmation/);
    fc.assert(
      fc.property(messageArbs.notice, (notice) => {
        const swapped = { ...notice, validFrom: notice.expiresAt, expiresAt: notice.validFrom };
        expect(decode('notice', JSON.stringify(swapped))).toMatchObject({
          ok: false,
          error: { code: 'schema', path: ['expiresAt'] },
        });
      }),
      { numRuns: 30 },
    );
  });
});
