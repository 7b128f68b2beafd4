import type { Context, Env, MiddlewareHandler } from 'hono';
import { resolver, uniqueSymbol } from 'hono-openapi';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { apiError, errorBody, summarizeIssues, zodIssues } from './errors.ts';

/** What a validator adds to a route's types: the schema's input for `hc` clients, its output for handlers. */
type Validated<T extends 'query' | 'param' | 'json', S extends z.ZodType> = {
  in: { [K in T]: z.input<S> };
  out: { [K in T]: z.output<S> };
};

/**
 * The body type of a route whose handler parses and answers bad bodies itself (with `readJson`),
 * declared on the handler's context so `hc` clients are typed too: no validation here.
 */
export type JsonInput<S extends z.ZodType> = Validated<'json', S>;

/** The query a route whose handler reads and checks it itself takes, declared for `hc` clients the same way. */
export type QueryInput<Q extends Record<string, string | undefined>> = {
  in: { query: Q };
  out: { query: Q };
};

const CODES = { query: 'invalid_query', param: 'invalid_path', json: 'invalid_body' } as const;
const WHAT = { query: 'query', param: 'path', json: 'body' } as const;

/**
 * The one answer to a body that is not JSON, on every route: 400 `invalid_json`, naming the
 * parser's complaint. (Hono's own JSON validator throws instead, which answered `bad_request`
 * on some routes and `invalid_json` or `invalid_body` on others.)
 */
export const invalidJson = (c: Context, why?: string) =>
  apiError(c, 400, 'invalid_json', `the request body must be JSON${why ? ` (${why})` : ''}`);

/**
 * Reads and checks a JSON body where the handler does it itself (after its own permission
 * checks, or to answer with its own status): 400 `invalid_json` if it does not parse, 400
 * `invalid_body` with every issue if it does not match.
 */
export async function readJson<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<{ ok: true; data: z.output<S> } | { ok: false; res: ReturnType<typeof apiError<400>> }> {
  let raw: unknown;
  try {
    const text = await c.req.text();
    raw = text.trim() === '' ? {} : JSON.parse(text); // no body: no fields (e.g. an ack without a note)
  } catch (e) {
    return { ok: false, res: invalidJson(c, e instanceof Error ? e.message : undefined) };
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issues = zodIssues(r.error);
    return {
      ok: false,
      res: apiError(c, 400, 'invalid_body', `bad body: ${summarizeIssues(issues)}`, issues),
    };
  }
  return { ok: true, data: r.data };
}

/**
 * Marks a middleware with the schema it validates, the way hono-openapi's own `validator` does
 * (its documented hook for custom validators: the `uniqueSymbol` property), so the OpenAPI
 * document (api/openapi.ts) shows the same zod schema the route checks with.
 */
function documented(m: unknown, target: 'query' | 'param' | 'json', schema: z.ZodType): unknown {
  return Object.assign(m as object, { [uniqueSymbol]: { target, ...resolver(schema) } });
}

/**
 * zod validators for hono routes: `safeParse` at the boundary, 400 with every issue on failure,
 * typed `c.req.valid(...)` inside the handler and typed inputs for `hc<AppType>`; each also puts
 * its schema into the OpenAPI document. A JSON body that does not parse answers `invalid_json`.
 */
function zValidator<
  T extends 'query' | 'param' | 'json',
  S extends z.ZodType,
  E extends Env,
  P extends string,
>(target: T, schema: S): MiddlewareHandler<E, P, Validated<T, S>> {
  const fail = (c: Context, error: z.ZodError) => {
    const issues = zodIssues(error);
    return c.json(errorBody(CODES[target], `bad ${WHAT[target]}: ${summarizeIssues(issues)}`, issues), 400);
  };
  if (target === 'json') {
    const m: MiddlewareHandler = async (c, next) => {
      const r = await readJson(c, schema);
      if (!r.ok) return r.res;
      c.req.addValidatedData('json', r.data as object);
      await next();
    };
    return documented(m, target, schema) as unknown as MiddlewareHandler<E, P, Validated<T, S>>;
  }
  const m = validator(target, (value, c) => {
    const r = schema.safeParse(value);
    return r.success ? r.data : fail(c, r.error);
  });
  return documented(m, target, schema) as unknown as MiddlewareHandler<E, P, Validated<T, S>>;
}

export const zQuery = <S extends z.ZodType, E extends Env = Env, P extends string = string>(schema: S) =>
  zValidator<'query', S, E, P>('query', schema);
export const zParam = <S extends z.ZodType, E extends Env = Env, P extends string = string>(schema: S) =>
  zValidator<'param', S, E, P>('param', schema);
export const zJson = <S extends z.ZodType, E extends Env = Env, P extends string = string>(schema: S) =>
  zValidator<'json', S, E, P>('json', schema);
