import type { Context, MiddlewareHandler } from 'hono';
import { apiError } from '../errors.ts';
import type { AuthOptions } from './options.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every state-changing request (any method but GET, HEAD, OPTIONS) to any route — sign-in and
 * sign-out included, and every module's routes — must not come from another site: a browser's
 * `Origin` naming another host, or `Sec-Fetch-Site: cross-site`, answers 403 before any route
 * runs. The session cookie is SameSite=Strict as well; this also stops a same-site sibling page
 * and a cross-site sign-in or sign-out (login CSRF). Clients that are not browsers send no
 * Origin and pass (they authenticate with a bearer token).
 */
export function sameOriginWrites(o: Pick<AuthOptions, 'trustProxy'>): MiddlewareHandler {
  return async (c, next) => {
    if (!SAFE.has(c.req.method) && !fromOwnOrigin(c, o.trustProxy)) {
      return apiError(c, 403, 'cross_origin', 'writes must come from the hub dashboard itself');
    }
    await next();
  };
}

export function fromOwnOrigin(c: Context, trustProxy = false): boolean {
  if (c.req.header('sec-fetch-site') === 'cross-site') return false;
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  if (origin === 'null') return false; // sandboxed frames, file:// pages, privacy redirects
  try {
    const forwarded = trustProxy ? c.req.header('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
    return new URL(origin).host === (forwarded || c.req.header('host') || new URL(c.req.url).host);
  } catch {
    return false;
  }
}
