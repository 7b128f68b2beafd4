import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { ApiEnv, Principal } from '../context.ts';
import type { ApiCore } from '../deps.ts';
import { apiError } from '../errors.ts';
import { SESSION_PREFIX } from './credentials.ts';
import type { AuthOptions } from './options.ts';
import { principalOf } from './principal.ts';

export type Identified =
  | { kind: 'none' }
  | { kind: 'ok'; principal: Principal; sessionToken?: string }
  | { kind: 'fail'; code: 'session_expired' | 'invalid_credentials'; message: string };

/** The bearer token or session cookie of a request, if any. */
export function presentedCredential(
  c: Context,
  o: AuthOptions,
): { value: string; from: 'bearer' | 'cookie' } | undefined {
  const h = c.req.header('authorization');
  if (h !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    return { value: m?.[1] ?? '', from: 'bearer' };
  }
  const cookie = getCookie(c, o.cookieName);
  return cookie ? { value: cookie, from: 'cookie' } : undefined;
}

/** Who sent this request: a session (cookie or bearer), an API token, or nobody. */
export function identify(core: ApiCore, c: Context): Identified {
  const cred = presentedCredential(c, core.auth);
  if (!cred) return { kind: 'none' };
  if (cred.value.startsWith(SESSION_PREFIX)) {
    const s = core.credentials.useSession(cred.value);
    if (!s.ok) {
      return s.reason === 'expired'
        ? { kind: 'fail', code: 'session_expired', message: 'your session has expired; sign in again' }
        : { kind: 'fail', code: 'invalid_credentials', message: 'this session is not valid; sign in again' };
    }
    const person = core.registry.getPerson(s.session.personId);
    if (!person)
      return { kind: 'fail', code: 'invalid_credentials', message: 'this account no longer exists' };
    if (cred.from === 'cookie' && s.session.renewed) {
      setSessionCookie(c, core.auth, cred.value, s.session.expiresAt - core.clock.now());
    }
    return { kind: 'ok', principal: principalOf(person, 'session'), sessionToken: cred.value };
  }
  const t = core.credentials.useToken(cred.value);
  const person = t && core.registry.getPerson(t.personId);
  if (!person) {
    return {
      kind: 'fail',
      code: 'invalid_credentials',
      message: 'this token is unknown, expired or revoked',
    };
  }
  return { kind: 'ok', principal: principalOf(person, 'token') };
}

export function setSessionCookie(c: Context, o: AuthOptions, value: string, maxAgeMs: number): void {
  setCookie(c, o.cookieName, value, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: o.cookieSecure,
    path: '/',
    maxAge: Math.max(0, Math.floor(maxAgeMs / 1000)),
  });
}

/**
 * Sets `principal` or answers 401. (Cross-site writes were refused before this runs, for every
 * route: see origin.ts.)
 */
export function authenticate(core: ApiCore): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const who = identify(core, c);
    if (who.kind === 'none') {
      c.header('WWW-Authenticate', 'Bearer realm="steppelink"');
      return apiError(
        c,
        401,
        'unauthenticated',
        'sign in first (POST /api/login), or send Authorization: Bearer <token>',
      );
    }
    if (who.kind === 'fail') {
      c.header('WWW-Authenticate', 'Bearer realm="steppelink", error="invalid_token"');
      return apiError(c, 401, who.code, who.message);
    }
    c.set('principal', who.principal);
    await next();
  };
}
