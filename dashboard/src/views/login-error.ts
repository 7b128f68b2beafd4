import { ApiError } from '../api/http.ts';
import type { Translate } from '../i18n/index.ts';

/**
 * What the sign-in form says when the hub refuses: wrong credentials (401), or throttled after
 * failed attempts (429 `too_many_attempts`, with `Retry-After`) — in the reader's language, with
 * the wait rounded up so "try again in 2 min" is never too early.
 */
export function signInErrorText(err: unknown, t: Translate): string {
  if (err instanceof ApiError && err.status === 401) return t('login.failed');
  if (err instanceof ApiError && err.status === 429) {
    const s = Math.max(1, err.retryAfterS ?? 60); // no header: the limiter's first delays are seconds to a minute
    return t('login.throttled', {
      wait: s < 60 ? t('time.s', { n: s }) : t('time.m', { n: Math.ceil(s / 60) }),
    });
  }
  return t('common.error', { reason: (err as Error).message });
}
