import type { Context } from 'hono';

/** Authentication settings of the API; `createApi({ auth })` spreads the caller's over `authDefaults`. */
export interface AuthOptions {
  /** Name of the session cookie. */
  cookieName: string;
  /**
   * Mark the cookie `Secure`. Off by default because a banner hub often serves plain HTTP on an
   * office LAN; turn it on whenever the hub is reached over HTTPS.
   */
  cookieSecure: boolean;
  /** A session unused this long expires; every use slides it forward (sliding renewal). */
  sessionIdleMs: number;
  /** No session lives longer than this, however often it is used: then sign in again. */
  sessionMaxMs: number;
  /** Longest lifetime an admin may give an API token, in days. */
  tokenMaxDays: number;
  /**
   * Bearer token for `GET /metrics`. When unset, /metrics answers only loopback clients
   * (a Prometheus on the same machine); when set, any client that presents it.
   */
  metricsToken: string | undefined;
  /**
   * Take the client address from `X-Forwarded-For` and the host from `X-Forwarded-Host` (for the
   * same-origin check of writes) — only behind a reverse proxy you run.
   */
  trustProxy: boolean;
  /** How to find the client address; the default reads the Node socket (`@hono/node-server`). */
  remoteAddress: (c: Context) => string | undefined;
}

/** The socket address of a request served by @hono/node-server; undefined under `app.request()`. */
export function nodeRemoteAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

export const authDefaults: AuthOptions = {
  cookieName: 'sl_session',
  cookieSecure: false, // see above: set true behind HTTPS
  sessionIdleMs: 12 * 3600_000, // a duty shift; renewed on every use
  sessionMaxMs: 7 * 24 * 3600_000, // a week at most, however active
  tokenMaxDays: 366, // integrations are re-keyed at least yearly
  metricsToken: undefined,
  trustProxy: false,
  remoteAddress: nodeRemoteAddress,
};

export function resolveAuthOptions(partial: Partial<AuthOptions> = {}): AuthOptions {
  const o: AuthOptions = { ...authDefaults, ...stripUndefined(partial) };
  if (!(o.sessionIdleMs > 0) || !(o.sessionMaxMs >= o.sessionIdleMs)) {
    throw new RangeError(
      `auth: sessionIdleMs must be > 0 and sessionMaxMs >= sessionIdleMs (got ${o.sessionIdleMs} and ${o.sessionMaxMs})`,
    );
  }
  if (o.metricsToken !== undefined && o.metricsToken.length < 16) {
    throw new RangeError(
      'auth: metricsToken must be at least 16 characters; generate one with `openssl rand -hex 24`',
    );
  }
  return o;
}

/** Client address for rate limiting and the /metrics loopback check. */
export function clientAddress(c: Context, o: AuthOptions): string | undefined {
  if (o.trustProxy) {
    const fwd = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (fwd) return fwd;
  }
  return o.remoteAddress(c);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
