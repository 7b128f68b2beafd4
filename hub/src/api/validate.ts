import { validator } from 'hono/validator';
import type { z } from 'zod';
import { errorBody, summarizeIssues, zodIssues } from './errors.ts';

/**
 * zod validators for hono routes: `safeParse` at the boundary, 400 with every issue on failure,
 * typed `c.req.valid(...)` inside the handler and typed inputs for `hc<AppType>`.
 */
export function zQuery<S extends z.ZodType>(schema: S) {
  return validator('query', (value, c) => {
    const r = schema.safeParse(value);
    if (!r.success) {
      const issues = zodIssues(r.error);
      return c.json(errorBody('invalid_query', `bad query: ${summarizeIssues(issues)}`, issues), 400);
    }
    return r.data as z.output<S>;
  });
}

export function zParam<S extends z.ZodType>(schema: S) {
  return validator('param', (value, c) => {
    const r = schema.safeParse(value);
    if (!r.success) {
      const issues = zodIssues(r.error);
      return c.json(errorBody('invalid_path', `bad path: ${summarizeIssues(issues)}`, issues), 400);
    }
    return r.data as z.output<S>;
  });
}

/** JSON body; a body that is not JSON at all answers 400 `invalid_json` (hono's validator does that). */
export function zJson<S extends z.ZodType>(schema: S) {
  return validator('json', (value, c) => {
    const r = schema.safeParse(value);
    if (!r.success) {
      const issues = zodIssues(r.error);
      return c.json(errorBody('invalid_body', `bad body: ${summarizeIssues(issues)}`, issues), 400);
    }
    return r.data as z.output<S>;
  });
}
