import { unitIdSchema } from '@steppelink/protocols';
import { z } from 'zod';

/**
 * A time in a query string: epoch milliseconds (`1764028800000`) or ISO 8601 with a zone
 * (`2025-11-25T08:00:00+08:00`, `2025-11-25T00:00:00Z`). A zone-less ISO time is refused: on
 * a hub whose clock is UTC and users in UTC+8 it would silently shift by eight hours.
 */
export const timeParam = z.string().transform((s, ctx) => {
  // an unencoded `+08:00` arrives as ` 08:00` (a `+` in a query string means space)
  const v = s.trim().replace(/(T[\d:.]+) (\d{2}:?\d{2})$/, '$1+$2');
  if (/^\d{1,15}$/.test(v)) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/i.test(v)) {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  ctx.issues.push({
    code: 'custom',
    input: s,
    message: 'must be epoch milliseconds or an ISO 8601 time with a zone, e.g. 2025-11-25T08:00:00+08:00',
  });
  return z.NEVER;
});

export const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const boolParam = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const unitFilter = { unit: unitIdSchema.optional() };

export const pageParams = (maxPageSize: number, defaultSize: number) => ({
  limit: intParam(1, maxPageSize).default(defaultSize),
  offset: intParam(0, 10_000_000).default(0),
});

export const idParam = z.object({ id: z.string().min(1).max(64) });
