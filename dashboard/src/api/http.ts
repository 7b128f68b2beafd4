/**
 * The one way the dashboard talks to the hub: same-origin fetch with the session cookie, JSON
 * in and out, errors as `ApiError` carrying the hub's `{ error: { code, message } }`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
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
  const e = new ApiError(res.status, code, message);
  if (res.status === 401) for (const fn of [...unauthorizedListeners]) fn(e);
  return e;
}

/** Reads a Response as JSON, throwing ApiError for non-2xx. */
export async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  if (!r.ok) throw await failure(r);
  return (await r.json()) as T;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
}

export function url(path: string, query?: RequestOptions['query']): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** fetch + JSON for routes outside the typed client (module routes mounted at run time). */
export function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const init: RequestInit = {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    credentials: 'same-origin',
    headers:
      opts.body === undefined
        ? { accept: 'application/json' }
        : { 'content-type': 'application/json', accept: 'application/json' },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  return json<T>(fetch(url(path, opts.query), init));
}

/** The body type of a typed-client response's success statuses. */
export type OkBody<R> = R extends { status: infer S; json(): Promise<infer T> }
  ? S extends 200 | 201
    ? T
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
