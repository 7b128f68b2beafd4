import { describe, expect, it } from 'vitest';
import { failure } from '../api/http.ts';
import { translator } from '../i18n/index.ts';
import { signInErrorText } from './login-error.ts';

/** The hub's answer to a throttled sign-in, as hub/src/api/auth/login.ts sends it. */
const throttled = (retryAfter?: string) =>
  failure(
    new Response(
      JSON.stringify({
        error: { code: 'too_many_attempts', message: 'too many failed sign-ins; try again in 120 s' },
      }),
      {
        status: 429,
        headers: { 'content-type': 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) },
      },
    ),
  );

describe('sign-in refusals in the reader language', () => {
  it('a throttled sign-in says so with its wait, in zh, mn and en', async () => {
    const err = await throttled('120');
    expect(signInErrorText(err, translator('en'))).toBe('Too many failed sign-ins. Try again in 2 min.');
    expect(signInErrorText(err, translator('zh'))).toBe('登录失败次数过多，请2分后再试');
    const mn = signInErrorText(err, translator('mn'));
    expect(mn).toContain('2 ᠮᠢᠨ');
    expect(mn).not.toMatch(/[A-Za-z]/); // no English left over, not the hub's message
  });

  it('rounds the wait up, never telling someone to come back too early', async () => {
    expect(signInErrorText(await throttled('5'), translator('en'))).toBe(
      'Too many failed sign-ins. Try again in 5 s.',
    );
    expect(signInErrorText(await throttled('61'), translator('zh'))).toBe('登录失败次数过多，请2分后再试');
    const at = new Date(Date.now() + 30_000).toUTCString(); // Retry-After as an HTTP date
    expect(signInErrorText(await throttled(at), translator('en'))).toMatch(
      /^Too many failed sign-ins\. Try again in (29|30) s\.$/,
    );
    expect(signInErrorText(await throttled(), translator('en'))).toBe(
      'Too many failed sign-ins. Try again in 1 min.',
    );
  });

  it('a wrong password and other failures keep their own texts', async () => {
    const wrong = await failure(
      new Response(JSON.stringify({ error: { code: 'bad_credentials', message: 'x' } }), { status: 401 }),
    );
    expect(signInErrorText(wrong, translator('mn'))).toBe(translator('mn')('login.failed'));
    expect(signInErrorText(new Error('offline'), translator('en'))).toBe(
      translator('en')('common.error', { reason: 'offline' }),
    );
  });
});
