import { DEMO_PASSWORD } from '@steppelink/hub/testing';

/** POST JSON to the hub over real HTTP; `from` sets X-Forwarded-For (the hub runs with trustProxy). */
export async function postJson(
  httpUrl: string,
  path: string,
  body: unknown,
  o: { from?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${httpUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(o.from ? { 'x-forwarded-for': o.from } : {}),
      ...o.headers,
    },
    body: JSON.stringify(body),
  });
}

/** Signs in (cookie mode) and returns the session cookie and the known-client cookie. */
export async function signInCookies(
  httpUrl: string,
  username: string,
  o: { from?: string; password?: string } = {},
): Promise<{ session: string; known: string }> {
  const r = await postJson(httpUrl, '/api/login', { username, password: o.password ?? DEMO_PASSWORD }, o);
  if (r.status !== 200) throw new Error(`sign-in of ${username} failed: ${r.status} ${await r.text()}`);
  const cookies = r.headers.getSetCookie().map((c) => c.split(';')[0]!);
  return {
    session: cookies.find((c) => c.startsWith('sl_session='))!,
    known: cookies.find((c) => c.startsWith('slk_'))!,
  };
}

export const metricsText = async (httpUrl: string): Promise<string> =>
  (await fetch(`${httpUrl}/metrics`)).text();
