import { randomBytes, scrypt as scryptCb, scryptSync, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;

/**
 * Secrets are stored as `scrypt$N$r$p$salt$hash` (base64url). Two cost levels:
 * - people's passwords are human-chosen: N=16384 (~50 ms), slow on purpose;
 * - device secrets are 32 random bytes from `generateSecret()`, so brute force is hopeless
 *   whatever the KDF; N=1024 (~1-3 ms) keeps a 20k-device reconnect storm affordable on a Pi-class hub.
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
  return /^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/.test(value);
}

/** Verifies without blocking the event loop (scrypt runs on the libuv pool). */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
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
export function verifySecretSync(secret: string, stored: string): boolean {
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
