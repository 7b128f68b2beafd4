import { doc } from '../openapi.ts';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie } from 'hono/cookie';
import { z } from 'zod';
import { hashSecret, verifySecret } from '../../registry/secrets.ts';
import type { ApiCore } from '../deps.ts';
import { apiError } from '../errors.ts';
import { zJson } from '../validate.ts';
import { identify, presentedCredential, setSessionCookie } from './middleware.ts';
import { normalizeAddress, personAccount } from '../../auth/guard.ts';
import { knownClientOf, rememberKnownClient } from './known-client.ts';
import { clientAddress } from './options.ts';
import { meOf } from './me.ts';

export const loginBodySchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  /**
   * `cookie` (default, the dashboard): an HttpOnly session cookie, the token never reaches
   * script. `bearer` (the worker phone app): the session token in the body, for an
   * `Authorization: Bearer` header; no cookie.
   */
  mode: z.enum(['cookie', 'bearer']).default('cookie'),
});

/** Compared against when the username is unknown, so a miss costs the same time as a wrong password. */
let decoyHash: string | undefined;
const decoy = () => {
  decoyHash ??= hashSecret('decoy-password-never-matches', 'password');
  return decoyHash;
};

/** POST /login, POST /logout (public: they are how one gets, and drops, a session). */
export function loginRoutes(core: ApiCore) {
  const small = bodyLimit({
    maxSize: 4096, // a username and a password; anything bigger is not a sign-in
    onError: (c) => apiError(c, 413, 'too_large', 'a sign-in body is a username and a password'),
  });
  return new Hono()
    .post(
      '/login',
      doc('auth', 'Sign in: a session cookie, or a bearer token with mode "bearer"', { public: true }),
      small,
      zJson(loginBodySchema),
      async (c) => {
        const { username, password, mode } = c.req.valid('json');
        const account = personAccount(username);
        const address = normalizeAddress(clientAddress(c, core.auth));
        // a browser that signed in as this person before has a throttle bucket of its own
        const known = knownClientOf(c, core.knownClientKey, account);
        const admitted = core.guard.begin('http', { account, address, ...known });
        if (!admitted.ok) {
          const s = Math.ceil(admitted.retryAfterMs / 1000);
          c.header('Retry-After', String(s));
          core.apiMetrics.loginFailures.inc({ reason: 'rate_limited' });
          return apiError(c, 429, 'too_many_attempts', `too many failed sign-ins; try again in ${s} s`);
        }
        const person = core.registry.personByUsername(username);
        let ok = false;
        try {
          ok = (await verifySecret(password, person?.passwordHash ?? decoy())) && !!person?.passwordHash;
        } finally {
          if (ok) core.guard.succeed(admitted.ticket);
          else core.guard.fail('http', admitted.ticket, person ? 'wrong password' : 'unknown username');
        }
        if (!ok || !person) {
          core.apiMetrics.loginFailures.inc({ reason: 'bad_credentials' });
          return apiError(c, 401, 'invalid_credentials', 'username or password is wrong');
        }
        const s = core.credentials.createSession(person.id, mode === 'bearer' ? 'app' : 'browser');
        core.log.info({ personId: person.id, mode }, 'signed in');
        const me = meOf(core.registry, { ...person, via: 'session' });
        if (mode === 'bearer') {
          c.header('Cache-Control', 'no-store');
          return c.json({ me, expiresAt: s.expiresAt, token: s.token as string | undefined }, 200);
        }
        setSessionCookie(c, core.auth, s.token, s.expiresAt - core.clock.now());
        rememberKnownClient(c, core.knownClientKey, account, core.auth.cookieSecure);
        return c.json({ me, expiresAt: s.expiresAt, token: undefined as string | undefined }, 200);
      },
    )
    .post(
      '/logout',
      doc('auth', 'Sign out (ends the session or revokes the bearer token used)', { public: true }),
      (c) => {
        const who = identify(core, c);
        const cred = presentedCredential(c, core.auth);
        if (who.kind === 'ok' && who.sessionToken) core.credentials.endSession(who.sessionToken);
        if (cred?.from === 'cookie') deleteCookie(c, core.auth.cookieName, { path: '/' });
        return c.json({ ok: true as const }, 200);
      },
    );
}
