import {
  createHash,
  createHmac,
  randomBytes,
  scrypt as scryptCb,
  scryptSync,
  timingSafeEqual,
} from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;

/**
 * People's passwords are human-chosen: stored as `scrypt$N$r$p$salt$hash` (base64url), N=16384
 * (~50 ms), slow on purpose.
 *
 * Device secrets are 32 random bytes from `generateSecret()` (256 bits), so a slow KDF buys
 * nothing against guessing: they are stored as `hmac-sha256$kid$salt$mac`, an HMAC-SHA-256 under
 * the hub's server-side device key (see auth/server-key.ts; `kid` names the key), checked in
 * constant time in about a microsecond — a power-return storm of a league's boxes costs no more
 * than their TCP handshakes. Older `scrypt$…` device hashes (N=1024) still verify and are
 * rewritten as HMAC on the device's next successful connection.
 */
export const COST = {
  password: { N: 16384, r: 8, p: 1 },
  device: { N: 1024, r: 8, p: 1 },
} as const;
const KEY_LEN = 32;

export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string, cost: keyof typeof COST = 'device'): string {
  const { N, r, p } = COST[cost];
  const salt = randomBytes(16);
  const hash = scryptSync(secret, salt, KEY_LEN, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export function isHashedSecret(value: string): boolean {
  return (
    /^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/.test(value) ||
    /^hmac-sha256\$[\w-]+\$[\w-]+\$[\w-]+$/.test(value)
  );
}

/** The hub's key for device secrets, and its short public name stored in each hash. */
export interface DeviceKey {
  key: Buffer;
  id: string;
}
export function deviceKeyOf(key: Buffer): DeviceKey {
  return { key, id: createHash('sha256').update(key).digest('base64url').slice(0, 8) };
}

export function hashDeviceSecret(secret: string, k: DeviceKey): string {
  const salt = randomBytes(16);
  return ['hmac-sha256', k.id, salt.toString('base64url'), mac(k, salt, secret).toString('base64url')].join(
    '$',
  );
}

const mac = (k: DeviceKey, salt: Buffer, secret: string): Buffer =>
  createHmac('sha256', k.key).update(salt).update(secret).digest();

export const isKeyedHash = (stored: string): boolean => stored.startsWith('hmac-sha256$');

/**
 * Checks a device secret against an `hmac-sha256$…` hash in constant time. False when the hash
 * was made under another key (`keyMismatch` tells the caller to say so in the log).
 */
export function verifyKeyedSecret(secret: string, stored: string, k: DeviceKey | undefined): boolean {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== 'hmac-sha256' || !k || parts[1] !== k.id) return false;
  const expected = Buffer.from(parts[3]!, 'base64url');
  const actual = mac(k, Buffer.from(parts[2]!, 'base64url'), secret);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
export const keyMismatch = (stored: string, k: DeviceKey | undefined): boolean =>
  isKeyedHash(stored) && stored.split('$')[1] !== k?.id;

/** Verifies without blocking the event loop (scrypt runs on the libuv pool; HMAC is immediate). */
export async function verifySecret(secret: string, stored: string, k?: DeviceKey): Promise<boolean> {
  if (isKeyedHash(stored)) return verifyKeyedSecret(secret, stored, k);
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64url');
  const actual = await scrypt(secret, Buffer.from(saltB64, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Synchronous variant, for imports that already run inside a transaction. */
export function verifySecretSync(secret: string, stored: string, k?: DeviceKey): boolean {
  if (isKeyedHash(stored)) return verifyKeyedSecret(secret, stored, k);
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64url');
  const actual = scryptSync(secret, Buffer.from(saltB64, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
