/**
 * Errors of the typed client (`hc<AppType>`, client.ts): a non-2xx answer becomes an `ApiError`
 * carrying the hub's `{ error: { code, message } }`; `ok()` awaits a call and returns its body.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** seconds from the answer's `Retry-After` (a throttled sign-in's 429), when it has one */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = (e: ApiError) => void;
const unauthorizedListeners = new Set<Listener>();

/** Called on every 401 (session expired or signed out elsewhere): the app goes back to sign-in. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/** Turns a non-2xx Response into an ApiError (and tells listeners about a 401). */
export async function failure(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body?.error?.code) code = body.error.code;
    if (body?.error?.message) message = body.error.message;
  } catch {
    // not JSON (a proxy's error page): keep the status text
  }
  const e = new ApiError(res.status, code, message, retryAfterOf(res.headers.get('retry-after')));
  if (res.status === 401) for (const fn of [...unauthorizedListeners]) fn(e);
  return e;
}

/** `Retry-After` as seconds: delay-seconds, or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
function retryAfterOf(h: string | null): number | undefined {
  if (!h) return undefined;
  if (/^\d+$/.test(h.trim())) return Number(h.trim());
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * The body type of a typed-client response's JSON success answers: a route's non-JSON success
 * (the CSV of `?format=csv`, typed `unknown`) is left out, since `ok()` reads JSON.
 */
export type OkBody<R> = R extends { status: infer S; json(): Promise<infer T> }
  ? S extends 200 | 201
    ? unknown extends T
      ? never
      : T
    : never
  : never;

/**
 * Awaits a typed-client (`hc`) call and returns its success body, typed from the hub's route;
 * non-2xx answers throw ApiError like every other request.
 */
export async function ok<R extends { ok: boolean; status: number; json(): Promise<unknown> }>(
  call: Promise<R>,
): Promise<OkBody<R>> {
  const res = await call;
  if (!res.ok) throw await failure(res as unknown as Response);
  return (await res.json()) as OkBody<R>;
}
