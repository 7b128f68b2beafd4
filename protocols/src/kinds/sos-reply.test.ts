import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shortTextArb, sosMsgArb, sosReplyArb } from '../arbitraries.ts';
import { decode, encode, encodeOrThrow } from '../codec.ts';
import {
  CANNED_REPLIES,
  CANNED_REPLY_TEXTS,
  SHORT_TEXT_MAX_BYTES,
  SHORT_TEXT_MAX_CHARS,
  shortTextProblem,
} from './sos-reply.ts';

const T = 1_764_028_800_000;
const say = (o: Record<string, unknown>) => ({
  v: 1,
  id: 'stb-150824-104-0007:rpl:1',
  ts: T,
  type: 'say',
  sosId: '01KAWY2Z3M8Q4T7V9B0C1D2E3F',
  ...o,
});
const msg = (text: string) => ({
  v: 1,
  id: 'msg-1',
  ts: T,
  incidentId: 'inc-1',
  sosId: '01KAWY2Z3M8Q4T7V9B0C1D2E3F',
  from: { name: '巴特尔', role: 'grid-worker' },
  text,
});
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('sos-reply and sos-msg', () => {
  it('round-trip through the codec unchanged', () => {
    fc.assert(
      fc.property(sosReplyArb, (m) => {
        const d = decode('sos-reply', encodeOrThrow('sos-reply', m));
        expect(d).toEqual({ ok: true, value: m });
      }),
    );
    fc.assert(
      fc.property(sosMsgArb, (m) => {
        expect(decode('sos-msg', encodeOrThrow('sos-msg', m))).toEqual({ ok: true, value: m });
      }),
    );
  });

  it('accept every text within the limits, and it stays within them in bytes and characters', () => {
    fc.assert(
      fc.property(shortTextArb, (text) => {
        expect(shortTextProblem(text)).toBeUndefined();
        expect([...text].length).toBeLessThanOrEqual(SHORT_TEXT_MAX_CHARS);
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(SHORT_TEXT_MAX_BYTES);
        expect(decode('sos-reply', bytes(say({ text }))).ok).toBe(true);
      }),
    );
  });

  it('refuse text over the character limit, naming the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: SHORT_TEXT_MAX_CHARS + 1, max: 600 }), (n) => {
        const r = decode('sos-reply', bytes(say({ text: 'a'.repeat(n) })));
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.error.code).toBe('schema');
        expect(r.error.path).toEqual(['text']);
        expect(r.error.message).toContain(`is ${n} characters; at most ${SHORT_TEXT_MAX_CHARS}`);
      }),
      { numRuns: 30 },
    );
  });

  it('refuse text within the characters but over the bytes (4-byte characters)', () => {
    const text = '𠀀'.repeat(SHORT_TEXT_MAX_CHARS); // 140 characters, 560 bytes
    const r = decode('sos-msg', bytes(msg(text)));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain(`560 bytes of UTF-8; at most ${SHORT_TEXT_MAX_BYTES}`);
    // 140 Chinese characters (3 bytes each) are exactly the limit
    expect(decode('sos-msg', bytes(msg('雪'.repeat(SHORT_TEXT_MAX_CHARS)))).ok).toBe(true);
  });

  it('refuse empty, blank, multi-line and broken text with the reason', () => {
    const cases: [string, string][] = [
      ['', 'must not be empty'],
      ['   ', 'must not be empty'],
      ['第一行\n第二行', 'one line'],
      ['tab\there', 'one line'],
      ['bad \ud800 surrogate', 'lone UTF-16 surrogate'],
    ];
    for (const [text, why] of cases) {
      const r = encode('sos-msg', msg(text) as never);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.error.message, text).toContain(why);
    }
  });

  it('refuse a reply with neither canned code nor text, and a code outside the list', () => {
    const none = decode('sos-reply', bytes(say({})));
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error.message).toContain('needs a canned code or a text');
    const unknown = decode('sos-reply', bytes(say({ canned: 'send-pizza' })));
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.path).toEqual(['canned']);
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: 20 })
          .filter((s) => !(CANNED_REPLIES as readonly string[]).includes(s)),
        (code) => {
          expect(decode('sos-reply', bytes(say({ canned: code }))).ok).toBe(false);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('have a phrase for every canned reply in every language', () => {
    for (const c of CANNED_REPLIES) {
      for (const lang of ['zh', 'mn', 'en'] as const) {
        expect(CANNED_REPLY_TEXTS[c][lang].trim().length, `${c} ${lang}`).toBeGreaterThan(0);
      }
    }
    expect(CANNED_REPLY_TEXTS['need-doctor']).toMatchObject({ zh: '需要医生', en: 'need a doctor' });
  });
});
