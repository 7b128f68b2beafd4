import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/**
 * OWASP's "device cookie": after a successful sign-in the browser (or the phone app's web view)
 * gets a cookie that names it a known-good client of that account. Its sign-ins are throttled in
 * a bucket of their own, so an attacker's failures against the account or from the same office
 * address never slow the real person down on the browser they use. Signed with a key derived from
 * the hub key, so it survives restarts and cannot be forged; it grants nothing else (it is sent
 * to /api/login only). One cookie per account, so a shared office PC serves each of its people.
 */
const MAX_AGE_S = 180 * 24 * 3600; // half a year: a duty officer's browser stays known between seasons

export const knownClientCookie = (account: string): string =>
  `slk_${createHash('sha256').update(account).digest('hex').slice(0, 12)}`;

const sign = (key: Buffer, account: string, nonce: string): Buffer =>
  createHmac('sha256', key).update(account).update('\u0000').update(nonce).digest().subarray(0, 18);

/** The client key of a valid known-client cookie for `account`, if the request carries one. */
export function knownClientOf(
  c: Context,
  key: Buffer,
  account: string,
): { client: string; proven: true } | undefined {
  const v = getCookie(c, knownClientCookie(account));
  const [nonce, mac] = v?.split('.') ?? [];
  if (!nonce || !mac) return undefined;
  const expected = sign(key, account, nonce);
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return { client: `cookie:${nonce}`, proven: true };
}

/** Marks this browser a known-good client of `account` (renewing the cookie it has, if any). */
export function rememberKnownClient(c: Context, key: Buffer, account: string, secure: boolean): void {
  const had = knownClientOf(c, key, account);
  const nonce = had ? had.client.slice('cookie:'.length) : randomBytes(16).toString('base64url');
  setCookie(c, knownClientCookie(account), `${nonce}.${sign(key, account, nonce).toString('base64url')}`, {
    httpOnly: true,
    sameSite: 'Strict',
    secure,
    path: '/api/login',
    maxAge: MAX_AGE_S,
  });
}
