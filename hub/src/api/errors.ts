import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';

/** One problem with a request, as data: where (path) and why (message, code). */
export interface ApiIssue {
  path: (string | number)[];
  code: string;
  message: string;
  [detail: string]: unknown;
}

/** Every error the API answers with: `{ error: { code, message, issues? } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string; issues?: ApiIssue[] };
}

export function errorBody(code: string, message: string, issues?: ApiIssue[]): ApiErrorBody {
  return { error: issues && issues.length > 0 ? { code, message, issues } : { code, message } };
}

export function apiError<S extends ContentfulStatusCode>(
  c: Context,
  status: S,
  code: string,
  message: string,
  issues?: ApiIssue[],
) {
  return c.json(errorBody(code, message, issues), status);
}

/** zod issues as data (path, code, message); messages stay English, clients may translate by code. */
export function zodIssues(error: z.ZodError): ApiIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    code: i.code,
    message: i.message,
  }));
}

/** "from: must be ...; to: ..." — one line naming each bad field, for `message`. */
export function summarizeIssues(issues: ApiIssue[], max = 3): string {
  const parts = issues.slice(0, max).map((i) => (i.path.length ? `${i.path.join('.')}: ` : '') + i.message);
  const more = issues.length > max ? ` (and ${issues.length - max} more)` : '';
  return parts.join('; ') + more;
}

export const notFound = (c: Context, what: string, id: string) =>
  apiError(c, 404, 'not_found', `${what} ${id} was not found among the units you can see`);

export const forbidden = (c: Context, message: string) => apiError(c, 403, 'forbidden', message);
