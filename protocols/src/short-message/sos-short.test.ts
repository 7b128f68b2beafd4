import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INCIDENT_STATES } from '../common.ts';
import { SOS_CATEGORIES } from '../kinds/sos.ts';
import {
  ackSmsText,
  encodeAckShort,
  encodeSosShort,
  fromHex,
  fromSmsText,
  openSosShort,
  parseAckSms,
  replayVerdict,
  SHORT_MESSAGE,
  type SosShort,
  shortMessageKey,
  toHex,
  toSmsText,
  verifyAckShort,
} from './sos-short.ts';
import { ulidFromBytes, ulidToBytes } from './ulid.ts';

/** The GSM 03.38 default alphabet's basic table, printable part (no escape to the extension table). */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

const ulidArb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
  b[0] = b[0]! & 0x7f; // a ULID's first character is 0-7: 128 bits
  return ulidFromBytes(b);
});
const shortDeviceIdArb = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('150824', '150825'),
      fc.integer({ min: 0, max: 999 }),
      fc.integer({ min: 0, max: 9999 }),
    )
    .map(([b, s, h]) => `stb-${b}-${String(s).padStart(3, '0')}-${String(h).padStart(4, '0')}`),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,23}$/),
);
const FROM_MS = Date.UTC(2020, 0, 1);
const secondsArb = fc.integer({ min: 0, max: 0xffff_ffff }).map((s) => FROM_MS + s * 1000);
const microArb = (max: number) => fc.integer({ min: -max * 1e6, max: max * 1e6 }).map((n) => n / 1e6);

const sosArb: fc.Arbitrary<SosShort> = fc.record(
  {
    deviceId: shortDeviceIdArb,
    sosId: ulidArb,
    category: fc.constantFrom(...SOS_CATEGORIES),
    pos: fc.record({ lat: microArb(90), lon: microArb(180) }),
    power: fc.constantFrom('mains', 'battery', 'solar') as fc.Arbitrary<'mains' | 'battery' | 'solar'>,
    battery: fc.integer({ min: 0, max: 100 }),
    pressedAtMs: secondsArb,
    sentAtMs: secondsArb,
  },
  { requiredKeys: ['deviceId', 'sosId', 'category', 'pressedAtMs', 'sentAtMs'] },
);
const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

const encodeOk = (m: SosShort, key: Uint8Array): Uint8Array => {
  const r = encodeSosShort(m, key);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('SOS short message', () => {
  it('round-trips every field through the bytes, the SMS text and the BeiDou hex', () => {
    fc.assert(
      fc.property(sosArb, keyArb, (m, key) => {
        const bytes = encodeOk(m, key);
        const fromSms = fromSmsText(toSmsText(bytes));
        const fromBd = fromHex(toHex(bytes));
        expect(fromSms.ok && Buffer.from(fromSms.value).equals(Buffer.from(bytes))).toBe(true);
        expect(fromBd.ok && Buffer.from(fromBd.value).equals(Buffer.from(bytes))).toBe(true);
        const opened = openSosShort(bytes, (d) => (d === m.deviceId ? key : undefined));
        expect(opened).toEqual({ ok: true, value: m });
      }),
    );
  });

  it('fits one BeiDou short message (560 bits) and one GSM 7-bit SMS (160 characters of the basic table)', () => {
    fc.assert(
      fc.property(sosArb, keyArb, (m, key) => {
        const bytes = encodeOk(m, key);
        expect(bytes.length).toBeLessThanOrEqual(SHORT_MESSAGE.maxBytes);
        expect(bytes.length * 8).toBeLessThanOrEqual(560);
        const sms = toSmsText(bytes);
        expect(sms.length).toBeLessThanOrEqual(160);
        for (const ch of sms) expect(GSM7_BASIC).toContain(ch);
      }),
    );
  });

  it('refuses any single changed character of the SMS text', () => {
    const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(sosArb, keyArb, fc.nat(), printable, (m, key, at, ch) => {
        const sms = toSmsText(encodeOk(m, key));
        const i = at % sms.length;
        fc.pre(sms[i] !== ch);
        const tampered = sms.slice(0, i) + ch + sms.slice(i + 1);
        const bytes = fromSmsText(tampered);
        const opened = bytes.ok ? openSosShort(bytes.value, () => key) : bytes;
        expect(opened.ok).toBe(false);
      }),
    );
  });

  it('refuses any flipped bit, a wrong key and a truncated message', () => {
    fc.assert(
      fc.property(sosArb, keyArb, keyArb, fc.nat(), (m, key, other, bit) => {
        const bytes = encodeOk(m, key);
        const flipped = Uint8Array.from(bytes);
        const i = bit % (bytes.length * 8);
        flipped[i >> 3] = flipped[i >> 3]! ^ (1 << (i & 7));
        expect(openSosShort(flipped, () => key).ok).toBe(false);
        fc.pre(!Buffer.from(other).equals(Buffer.from(key)));
        const wrong = openSosShort(bytes, () => other);
        expect(wrong.ok || wrong.error.code).toBe('mac');
        expect(openSosShort(bytes.subarray(0, bytes.length - 1), () => key).ok).toBe(false);
      }),
    );
  });

  it('cannot carry what does not fit: a long device id, an id that is not a ULID, times before 2020', () => {
    const key = new Uint8Array(32);
    const m: SosShort = {
      deviceId: 'stb-150824-104-0031',
      sosId: '01JEX3Z9Q5R8M2N4P6T8V0W2Y4',
      category: 'medical',
      pressedAtMs: Date.UTC(2026, 11, 7),
      sentAtMs: Date.UTC(2026, 11, 7),
    };
    expect(encodeSosShort(m, key).ok).toBe(true);
    expect(encodeSosShort({ ...m, deviceId: 'x'.repeat(25) }, key)).toMatchObject({
      ok: false,
      error: { code: 'too_long' },
    });
    expect(encodeSosShort({ ...m, sosId: 'not-a-ulid' }, key).ok).toBe(false);
    expect(encodeSosShort({ ...m, pressedAtMs: Date.UTC(2019, 11, 31) }, key).ok).toBe(false);
    // one SOS id ↔ 16 bytes
    expect(ulidFromBytes(ulidToBytes(m.sosId)!)).toBe(m.sosId);
  });

  it('derives one message key per secret (one way: the key does not give the secret back)', () => {
    expect(shortMessageKey('a').equals(shortMessageKey('a'))).toBe(true);
    expect(shortMessageKey('a').equals(shortMessageKey('b'))).toBe(false);
    expect(shortMessageKey('a').toString('base64url')).not.toContain('a'.repeat(2));
  });
});

describe('sos-ack short tag', () => {
  const stateArb = fc.constantFrom(...INCIDENT_STATES);
  const textArb = fc.constantFrom(
    '已收到求救，网格员巴特尔正在处理',
    'ᠲᠤᠰᠠᠯᠠᠮᠵᠢ ᠢᠷᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ',
    'Help is coming',
  );

  it('answers the SOS it was made for, with its state and text, and nothing else', () => {
    fc.assert(
      fc.property(
        shortDeviceIdArb,
        ulidArb,
        ulidArb,
        stateArb,
        textArb,
        keyArb,
        (dev, sos, other, state, text, key) => {
          fc.pre(sos !== other);
          const sms = ackSmsText(text, encodeAckShort({ deviceId: dev, sosId: sos, state, text }, key));
          const p = parseAckSms(sms)!;
          expect(p.text).toBe(text);
          expect(verifyAckShort(p.ack, dev, [other, sos], key, p.text)).toEqual({ sosId: sos, state });
          expect(verifyAckShort(p.ack, dev, [other], key, p.text)).toBeUndefined();
          expect(verifyAckShort(p.ack, dev, [sos], key, `${p.text}!`)).toBeUndefined();
          expect(verifyAckShort(p.ack, `${dev}x`.slice(0, 24), [sos], key, p.text)).toBeUndefined();
        },
      ),
    );
  });

  it('fits one UCS-2 SMS (70 characters) with a text of up to 48 characters', () => {
    const ack = encodeAckShort(
      { deviceId: 'd', sosId: '01JEX3Z9Q5R8M2N4P6T8V0W2Y4', state: 'acknowledged' },
      new Uint8Array(32),
    );
    expect(ackSmsText('字'.repeat(48), ack).length).toBeLessThanOrEqual(70);
  });
});

describe('replay window', () => {
  it('accepts a copy sent within the window and refuses one outside it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: FROM_MS, max: FROM_MS + 1e12 }),
        fc.integer({ min: -1e9, max: 1e9 }),
        (now, d) => {
          const v = replayVerdict(now + d, now);
          if (d < -6 * 3_600_000) expect(v).toBe('too_old');
          else if (d > 10 * 60_000) expect(v).toBe('ahead');
          else expect(v).toBe('ok');
        },
      ),
    );
  });
});
