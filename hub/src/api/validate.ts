import type { Env, MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { errorBody, summarizeIssues, zodIssues } from './errors.ts';

/** What a validator adds to a route's types: the schema's input for `hc` clients, its output for handlers. */
type Validated<T extends 'query' | 'param' | 'json', S extends z.ZodType> = {
  in: { [K in T]: z.input<S> };
  out: { [K in T]: z.output<S> };
};

/**
 * The body type of a route whose handler parses and answers bad bodies itself (its own error
 * codes), declared on the handler's context so `hc` clients are typed too: no validation here.
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
 * zod validators for hono routes: `safeParse` at the boundary, 400 with every issue on failure,
 * typed `c.req.valid(...)` inside the handler and typed inputs for `hc<AppType>`. A JSON body
 * that does not parse answers 400 too (hono's validator throws; the app's error handler answers).
 */
function zValidator<
  T extends 'query' | 'param' | 'json',
  S extends z.ZodType,
  E extends Env,
  P extends string,
>(target: T, schema: S): MiddlewareHandler<E, P, Validated<T, S>> {
  return validator(target, (value, c) => {
    const r = schema.safeParse(value);
    if (!r.success) {
      const issues = zodIssues(r.error);
      return c.json(errorBody(CODES[target], `bad ${WHAT[target]}: ${summarizeIssues(issues)}`, issues), 400);
    }
    return r.data;
  }) as unknown as MiddlewareHandler<E, P, Validated<T, S>>;
}

export const zQuery = <S extends z.ZodType, E extends Env = Env, P extends string = string>(schema: S) =>
  zValidator<'query', S, E, P>('query', schema);
export const zParam = <S extends z.ZodType, E extends Env = Env, P extends string = string>(schema: S) =>
  zValidator<'param', S, E, P>('param', schema);
export const zJson = <S extends z.ZodType, E extends Env = Env, P extends string = string>(schema: S) =>
  zValidator<'json', S, E, P>('json', schema);
