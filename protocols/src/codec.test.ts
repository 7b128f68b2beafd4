import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyMessageArb, messageArbs } from './arbitraries.ts';
import { decode, encode, encodeOrThrow, MAX_PAYLOAD_BYTES, validate } from './codec.ts';
import { fixtures } from './fixtures.ts';
import { MESSAGE_KINDS, MESSAGES, type MessageKind } from './messages.ts';

const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('encode → decode round trip', () => {
  for (const kind of MESSAGE_KINDS) {
    it(`round-trips every valid ${kind} message to the parsed value (defaults applied)`, () => {
      fc.assert(
        fc.property(messageArbs[kind] as fc.Arbitrary<unknown>, (message) => {
          const expected = MESSAGES[kind].schema.parse(message);
          const encoded = encode(kind, message as never);
          expect(encoded.ok, JSON.stringify(!encoded.ok && encoded.error)).toBe(true);
          if (!encoded.ok) return;
          expect(encoded.value.byteLength).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
          const decoded = decode(kind, encoded.value);
          expect(decoded).toEqual({ ok: true, value: expected });
          // Nothing the producer sent is lost, and the decoded form encodes to the same bytes.
          expect(decoded.ok && decoded.value).toMatchObject(message as object);
          expect(decoded.ok && encodeOrThrow(kind, decoded.value as never).equals(encoded.value)).toBe(true);
        }),
      );
    });
  }

  it('decodes the same message from a string payload as from bytes', () => {
    fc.assert(
      fc.property(anyMessageArb, ({ kind, message }) => {
        const payload = encodeOrThrow(kind, message as never);
        expect(decode(kind, payload.toString('utf8'))).toEqual(decode(kind, payload));
      }),
      { numRuns: 50 },
    );
  });

  it('applies defaults on decode', () => {
    const { category: _, ...raise } = fixtures.sos[0] as { category?: string };
    const sos = decode('sos', bytes(raise));
    expect(sos.ok && sos.value).toMatchObject({ action: 'raise', category: 'unknown' });
    const notice = decode('notice', bytes({ ...fixtures.notice[0]!, requireRead: undefined }));
    expect(notice.ok && notice.value).toMatchObject({ requireRead: false });
    const gate = decode(
      'grazing',
      bytes({
        v: 1,
        id: 'g1',
        ts: 1_764_028_800_000,
        readings: [{ type: 'gate', t: 1_764_028_800_000, gateId: 'g', headCount: 3 }],
      }),
    );
    expect(gate.ok && gate.value.readings[0]).toMatchObject({ direction: 'net' });
  });

  it('strips unknown fields rather than passing them on', () => {
    const r = decode('hb', bytes({ ...fixtures.hb[0]!, extra: { deep: [1, 2, 3] } }));
    expect(r.ok && 'extra' in r.value).toBe(false);
  });
});

describe('size, encoding and version limits', () => {
  const valid = encodeOrThrow('hb', fixtures.hb[0]!);

  it('refuses payloads over MAX_PAYLOAD_BYTES as too_large without looking at them', () => {
    // 0xff is neither UTF-8 nor JSON: only a size check that runs first can report too_large.
    const garbage = new Uint8Array(MAX_PAYLOAD_BYTES + 1).fill(0xff);
    expect(decode('hb', garbage)).toMatchObject({ ok: false, error: { code: 'too_large', path: [] } });
    expect(decode('hb', 'x'.repeat(MAX_PAYLOAD_BYTES + 1))).toMatchObject({
      ok: false,
      error: { code: 'too_large' },
    });
    // Multi-byte characters count as bytes, not characters.
    expect(decode('hb', '羊'.repeat(MAX_PAYLOAD_BYTES / 3 + 1))).toMatchObject({
      ok: false,
      error: { code: 'too_large' },
    });
  });

  it('accepts a valid message padded to exactly the limit and refuses it one byte over', () => {
    const pad = (n: number) => Buffer.concat([valid, Buffer.alloc(n - valid.byteLength, 0x20)]);
    expect(decode('hb', pad(MAX_PAYLOAD_BYTES)).ok).toBe(true);
    expect(decode('hb', pad(MAX_PAYLOAD_BYTES + 1))).toMatchObject({
      ok: false,
      error: { code: 'too_large' },
    });
  });

  it('refuses to encode a valid message whose JSON exceeds the limit', () => {
    // 200 readings with 64-character ids of control characters (6 bytes each once escaped).
    const id = '\u0001'.repeat(64);
    const readings = Array.from({ length: 200 }, (_, i) => ({
      type: 'water' as const,
      t: 1_764_028_800_000 + i,
      pointId: id,
      levelPct: 50,
    }));
    const r = encode('grazing', { v: 1, id: 'big', ts: 1_764_028_800_000, readings });
    expect(r).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(() => encodeOrThrow('grazing', { v: 1, id: 'big', ts: 1_764_028_800_000, readings })).toThrow(
      /too_large|limit/,
    );
  });

  it('reports invalid UTF-8 anywhere in a message as not_utf8', () => {
    const bad = fc.constantFrom([0xff], [0xfe], [0xc0, 0xaf], [0x80], [0xed, 0xa0, 0x80], [0xe6, 0xb0]);
    fc.assert(
      fc.property(anyMessageArb, bad, fc.nat(), ({ kind, message }, seq, at) => {
        const payload = encodeOrThrow(kind, message as never);
        const i = at % (payload.byteLength + 1);
        const broken = Buffer.concat([payload.subarray(0, i), Buffer.from(seq), payload.subarray(i)]);
        expect(decode(kind, broken)).toMatchObject({ ok: false, error: { code: 'not_utf8', path: [] } });
      }),
      { numRuns: 50 },
    );
  });

  it('names the supported versions when v is unknown or missing', () => {
    for (const kind of MESSAGE_KINDS) {
      const fixture = fixtures[kind][0] as Record<string, unknown>;
      for (const v of [2, 0, '1', null, undefined, 1.5, [1], { v: 1 }]) {
        const r = validate(kind, { ...fixture, v });
        expect(r).toMatchObject({ ok: false, error: { code: 'unsupported_version', path: ['v'] } });
        expect(!r.ok && r.error.message).toMatch(/supported versions: v=1\b/);
      }
      const { v: _, ...noV } = fixture;
      const r = decode(kind, bytes(noV));
      expect(!r.ok && r.error.message).toContain('v=missing');
    }
  });

  it('reports an unknown kind without reading the payload', () => {
    expect(decode('weather' as MessageKind, valid)).toMatchObject({
      ok: false,
      error: { code: 'unknown_kind' },
    });
    expect(validate('__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown_kind' } });
  });
});
