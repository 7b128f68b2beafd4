import { createHmac, timingSafeEqual } from 'node:crypto';
import { INCIDENT_STATES, type IncidentState, type PowerSource } from '../common.ts';
import { ID_PATTERN } from '../ids.ts';
import { SOS_CATEGORIES, type SosCategory } from '../kinds/sos.ts';
import { err, ok, type Result } from '../result.ts';
import { ulidFromBytes, ulidToBytes } from './ulid.ts';

/**
 * The SOS short message: one press as one SMS or one BeiDou short message, when MQTT cannot get
 * through. Binary, big-endian, authenticated with the device's message key (see
 * `shortMessageKey`):
 *
 * | bytes | field |
 * | --- | --- |
 * | 1 | `0x11`: format version 1, type 1 (SOS raise) |
 * | 1 | L, the device id's length (1..24) |
 * | L | device id (ASCII, the MQTT username) |
 * | 16 | SOS id: the ULID of the MQTT `sos` message, as 128 bits (the dedupe key) |
 * | 1 | category (3 bits) · power source (2 bits, 0 = unknown) · position present (1 bit) · 0 0 |
 * | 8 | latitude, longitude: int32 micro-degrees (0 when absent) |
 * | 4 | pressed at: seconds since 2020-01-01T00:00:00Z |
 * | 4 | sent at: seconds since 2020-01-01T00:00:00Z (this transmission; the replay window's time) |
 * | 1 | battery % (0..100; 255 = unknown) |
 * | 10 | HMAC-SHA-256 of all the bytes before it, truncated to 80 bits |
 *
 * 46 + L bytes, at most 70 (560 bits): the BDS-3 global short message limit (560 bits), the
 * tightest of the paths (BDS-3 regional: 14,000 bits; a BDS-2 civil card: 628 bits at the
 * common level). In an SMS it travels as `SL1 ` + base64url: at most 98 characters of the
 * GSM 7-bit default alphabet (one SMS holds 160); to a BeiDou terminal as hex in code mode.
 *
 * 80 bits of MAC: RFC 2104 §5 advises keeping at least 80 bits (and half the hash) of a
 * truncated HMAC; a forger gets one guess per SMS he pays for and every miss is dead-lettered,
 * so 2^-80 per try is far out of reach, while each byte more shortens the device id allowed.
 */
export const SHORT_MESSAGE = {
  version: 1,
  /** BDS-3 global short message: 560 bits per message. */
  maxBytes: 70,
  macBytes: 10,
  deviceIdMaxChars: 24,
  /** 2020-01-01T00:00:00Z in epoch seconds: the times' origin (uint32 seconds reach 2156). */
  epochS: 1_577_836_800,
  smsPrefix: 'SL1 ',
  ackTag: 'SL1A ',
} as const;

const TYPE_SOS = 0x11;
const TYPE_ACK = 0x12;
const POWER: readonly (PowerSource | undefined)[] = [undefined, 'mains', 'battery', 'solar'];

export type ShortErrorCode = 'format' | 'version' | 'field' | 'too_long' | 'unknown_device' | 'mac';
export interface ShortError {
  code: ShortErrorCode;
  message: string;
}
const fail = (code: ShortErrorCode, message: string) => err<ShortError>({ code, message });

export interface SosShort {
  deviceId: string;
  /** The SOS message id (a ULID): the same press over MQTT, SMS or BeiDou has the same one. */
  sosId: string;
  category: SosCategory;
  /** Micro-degree precision (≈ 0.1 m). */
  pos?: { lat: number; lon: number };
  power?: PowerSource;
  /** Whole percent. */
  battery?: number;
  /** When the SOS was pressed (second precision). */
  pressedAtMs: number;
  /** When this copy was sent (second precision): what the replay window checks. */
  sentAtMs: number;
}

/** The key a device's short messages are authenticated with, derived one way from its secret. */
export function shortMessageKey(deviceSecret: string): Buffer {
  return createHmac('sha256', Buffer.from(deviceSecret, 'utf8'))
    .update('steppelink short-message key v1')
    .digest();
}

const mac = (key: Uint8Array, ...parts: Uint8Array[]): Buffer => {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest().subarray(0, SHORT_MESSAGE.macBytes);
};

const toSeconds = (ms: number): number | undefined => {
  const s = Math.floor(ms / 1000) - SHORT_MESSAGE.epochS;
  return Number.isInteger(s) && s >= 0 && s <= 0xffff_ffff ? s : undefined;
};
const micro = (deg: number): number => Math.round(deg * 1e6);

/** Encodes and signs one SOS. Fails (never throws) on a field the format cannot carry. */
export function encodeSosShort(m: SosShort, key: Uint8Array): Result<Uint8Array, ShortError> {
  const dev = m.deviceId;
  if (dev.length < 1 || dev.length > SHORT_MESSAGE.deviceIdMaxChars || !ID_PATTERN.test(dev))
    return fail(
      'too_long',
      `device id ${JSON.stringify(dev.slice(0, 70))} does not fit a short message (1..${SHORT_MESSAGE.deviceIdMaxChars} id characters)`,
    );
  const id = ulidToBytes(m.sosId);
  if (!id) return fail('field', `SOS id ${JSON.stringify(m.sosId)} is not a canonical ULID`);
  const cat = SOS_CATEGORIES.indexOf(m.category);
  if (cat < 0) return fail('field', `unknown category ${JSON.stringify(m.category)}`);
  const pressed = toSeconds(m.pressedAtMs);
  const sent = toSeconds(m.sentAtMs);
  if (pressed === undefined || sent === undefined)
    return fail('field', 'times must lie between 2020 and 2156');
  const power = m.power === undefined ? 0 : POWER.indexOf(m.power);
  if (power < 0) return fail('field', `unknown power source ${JSON.stringify(m.power)}`);
  if (m.battery !== undefined && !(Number.isInteger(m.battery) && m.battery >= 0 && m.battery <= 100))
    return fail('field', 'battery must be a whole percent 0..100');
  if (m.pos && !(Math.abs(m.pos.lat) <= 90 && Math.abs(m.pos.lon) <= 180))
    return fail('field', 'position out of range');
  const L = dev.length;
  const out = new Uint8Array(46 + L);
  const view = new DataView(out.buffer);
  out[0] = TYPE_SOS;
  out[1] = L;
  for (let i = 0; i < L; i++) out[2 + i] = dev.charCodeAt(i);
  let o = 2 + L;
  out.set(id, o);
  o += 16;
  out[o++] = (cat << 5) | (power << 3) | (m.pos ? 1 << 2 : 0);
  view.setInt32(o, m.pos ? micro(m.pos.lat) : 0);
  view.setInt32(o + 4, m.pos ? micro(m.pos.lon) : 0);
  o += 8;
  view.setUint32(o, pressed);
  view.setUint32(o + 4, sent);
  o += 8;
  out[o++] = m.battery ?? 255;
  out.set(mac(key, out.subarray(0, o)), o);
  return ok(out);
}

/** A decoded short message whose MAC is not checked yet (the key depends on the device inside). */
export interface UnverifiedSos {
  message: SosShort;
  signed: Uint8Array;
  mac: Uint8Array;
}

/** Decodes the bytes of an SOS short message without checking its MAC. */
export function parseSosShort(bytes: Uint8Array): Result<UnverifiedSos, ShortError> {
  if (bytes.length < 47) return fail('format', `${bytes.length} bytes is too short for an SOS short message`);
  if (bytes.length > SHORT_MESSAGE.maxBytes)
    return fail('format', `${bytes.length} bytes is longer than ${SHORT_MESSAGE.maxBytes}`);
  if (bytes[0] !== TYPE_SOS)
    return fail('version', `first byte 0x${(bytes[0] ?? 0).toString(16)} is not an SOS short message v1`);
  const L = bytes[1]!;
  if (bytes.length !== 46 + L)
    return fail('format', `length ${bytes.length} does not match device id length ${L}`);
  const deviceId = String.fromCharCode(...bytes.subarray(2, 2 + L));
  if (L > SHORT_MESSAGE.deviceIdMaxChars || !ID_PATTERN.test(deviceId))
    return fail('field', 'the device id is not a valid id');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 2 + L;
  const sosId = ulidFromBytes(bytes.subarray(o, o + 16));
  o += 16;
  const flags = bytes[o++]!;
  if ((flags & 0b11) !== 0) return fail('field', 'reserved flag bits are set');
  const category = SOS_CATEGORIES[flags >> 5]!;
  const power = POWER[(flags >> 3) & 0b11];
  const hasPos = (flags & 0b100) !== 0;
  const lat = view.getInt32(o) / 1e6;
  const lon = view.getInt32(o + 4) / 1e6;
  o += 8;
  if (hasPos ? Math.abs(lat) > 90 || Math.abs(lon) > 180 : lat !== 0 || lon !== 0)
    return fail('field', 'position out of range');
  const pressedAtMs = (view.getUint32(o) + SHORT_MESSAGE.epochS) * 1000;
  const sentAtMs = (view.getUint32(o + 4) + SHORT_MESSAGE.epochS) * 1000;
  o += 8;
  const battery = bytes[o++]!;
  if (battery > 100 && battery !== 255) return fail('field', `battery ${battery} is not a percent`);
  const message: SosShort = {
    deviceId,
    sosId,
    category,
    ...(hasPos ? { pos: { lat, lon } } : {}),
    ...(power ? { power } : {}),
    ...(battery !== 255 ? { battery } : {}),
    pressedAtMs,
    sentAtMs,
  };
  return ok({ message, signed: bytes.subarray(0, o), mac: bytes.subarray(o) });
}

/** Checks the MAC in constant time. */
export function verifySosShort(u: UnverifiedSos, key: Uint8Array): boolean {
  const expected = mac(key, u.signed);
  return expected.length === u.mac.length && timingSafeEqual(expected, u.mac);
}

/** Decodes and verifies: the device's key is looked up by the id inside the message. */
export function openSosShort(
  bytes: Uint8Array,
  keyFor: (deviceId: string) => Uint8Array | undefined,
): Result<SosShort, ShortError> {
  const p = parseSosShort(bytes);
  if (!p.ok) return p;
  const key = keyFor(p.value.message.deviceId);
  if (!key) return fail('unknown_device', `no message key for device ${p.value.message.deviceId}`);
  if (!verifySosShort(p.value, key)) return fail('mac', 'the message authentication code does not match');
  return ok(p.value.message);
}

// ---- text forms: SMS (base64url after a prefix) and BeiDou code mode (hex) ----

const B64URL = /^[A-Za-z0-9_-]+$/;

/** `SL1 <base64url>`: GSM 7-bit default alphabet only, so one SMS carries it. */
export const toSmsText = (bytes: Uint8Array): string =>
  SHORT_MESSAGE.smsPrefix + Buffer.from(bytes).toString('base64url');

/**
 * Bytes of an SMS body, refusing anything but the exact form `toSmsText` makes (a re-encoding
 * must give the same text, so no character, padding bits of the last one included, can change
 * without changing the bytes). Surrounding whitespace an SMS gateway may add is ignored.
 */
export function fromSmsText(text: string): Result<Uint8Array, ShortError> {
  const t = text.trim();
  if (!t.startsWith(SHORT_MESSAGE.smsPrefix))
    return fail('format', 'not a SteppeLink short message (no "SL1 ")');
  const body = t.slice(SHORT_MESSAGE.smsPrefix.length);
  if (!B64URL.test(body)) return fail('format', 'the body is not base64url');
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.toString('base64url') !== body) return fail('format', 'the body is not in canonical base64url');
  return ok(new Uint8Array(bytes));
}

/** Upper-case hex, as a BeiDou terminal's code mode (传输方式 1) carries it. */
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

export function fromHex(hex: string): Result<Uint8Array, ShortError> {
  const h = hex.trim();
  if (h.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(h)) return fail('format', 'not an even run of hex digits');
  return ok(new Uint8Array(Buffer.from(h, 'hex')));
}

// ---- the hub's answer: an authenticated sos-ack tag ----

const utf8 = new TextEncoder();

function ackMac(key: Uint8Array, deviceId: string, sosId: string, state: number, text: string): Buffer {
  const id = ulidToBytes(sosId) ?? utf8.encode(sosId);
  return mac(
    key,
    Uint8Array.of(TYPE_ACK, state),
    utf8.encode(deviceId),
    Uint8Array.of(0),
    id,
    utf8.encode(text),
  );
}

/**
 * The hub's sos-ack over SMS or BeiDou: `0x12`, the incident state, and an 80-bit MAC over the
 * device, the SOS id, the state and the human text shown beside it, so a box trusts neither a
 * forged "help is coming" nor a changed text. The SOS id is not carried: the box checks the tag
 * against the SOS ids it is still sending.
 */
export function encodeAckShort(
  a: { deviceId: string; sosId: string; state: IncidentState; text?: string },
  key: Uint8Array,
): Uint8Array {
  const s = INCIDENT_STATES.indexOf(a.state);
  return Uint8Array.of(TYPE_ACK, s, ...ackMac(key, a.deviceId, a.sosId, s, a.text ?? ''));
}

/** The reply SMS: the household's text, then the tag. */
export const ackSmsText = (text: string, ack: Uint8Array): string =>
  `${text} ${SHORT_MESSAGE.ackTag}${Buffer.from(ack).toString('base64url')}`;

/** Finds the ack tag in an SMS body: the bytes and the text before it (what the MAC covers). */
export function parseAckSms(body: string): { ack: Uint8Array; text: string } | undefined {
  const t = body.trim();
  const at = t.lastIndexOf(SHORT_MESSAGE.ackTag);
  if (at < 0) return undefined;
  const tag = t.slice(at + SHORT_MESSAGE.ackTag.length);
  if (!B64URL.test(tag)) return undefined;
  const ack = Buffer.from(tag, 'base64url');
  if (ack.toString('base64url') !== tag) return undefined;
  return { ack: new Uint8Array(ack), text: t.slice(0, at).replace(/ $/, '') };
}

/** Which of `sosIds` this ack answers, and the state it reports; undefined when it is not genuine. */
export function verifyAckShort(
  ack: Uint8Array,
  deviceId: string,
  sosIds: readonly string[],
  key: Uint8Array,
  text = '',
): { sosId: string; state: IncidentState } | undefined {
  if (ack.length !== 2 + SHORT_MESSAGE.macBytes || ack[0] !== TYPE_ACK) return undefined;
  const s = ack[1]!;
  const state = INCIDENT_STATES[s];
  if (!state) return undefined;
  const got = ack.subarray(2);
  for (const sosId of sosIds) {
    if (timingSafeEqual(ackMac(key, deviceId, sosId, s, text), got)) return { sosId, state };
  }
  return undefined;
}

// ---- replay window ----

export const REPLAY_WINDOW_DEFAULTS = {
  /** A copy sent longer ago than this is refused: the hub's record of short messages reaches back this far. */
  pastMs: 6 * 3_600_000,
  /** A device clock this far ahead is tolerated (seconds precision, GSM network delays). */
  futureMs: 10 * 60_000,
};
export type ReplayWindow = typeof REPLAY_WINDOW_DEFAULTS;

/** Whether a copy sent at `sentAtMs` (device time) may be accepted at hub time `nowMs`. */
export function replayVerdict(
  sentAtMs: number,
  nowMs: number,
  w: ReplayWindow = REPLAY_WINDOW_DEFAULTS,
): 'ok' | 'too_old' | 'ahead' {
  if (sentAtMs < nowMs - w.pastMs) return 'too_old';
  if (sentAtMs > nowMs + w.futureMs) return 'ahead';
  return 'ok';
}
