import { doc } from '../openapi.ts';
import { Hono } from 'hono';
import { z } from 'zod';
import { REJECT_REASONS } from '../../ports.ts';
import { isTopAdmin } from '../auth/principal.ts';
import type { ApiEnv } from '../context.ts';
import type { ApiCore } from '../deps.ts';
import { intParam } from '../params.ts';
import { devicesInUnits } from '../queries.ts';
import { unitsFor } from '../scope.ts';
import { zQuery } from '../validate.ts';

/**
 * GET /dead-letters?reason=&limit=&before= — rejected messages of the caller's devices, newest
 * first. Rejects that name no known device (garbage, unknown ids) belong to no unit: only admins
 * of the league see them, with the hub-wide counts by reason.
 */
export function deadLetterRoutes(core: ApiCore) {
  const query = z.object({
    reason: z.enum(REJECT_REASONS).optional(),
    limit: intParam(1, core.limits.maxPageSize).default(100),
    before: intParam(1, Number.MAX_SAFE_INTEGER).optional(),
  });
  return new Hono<ApiEnv>().get(
    '/dead-letters',
    doc('telemetry', 'Rejected messages of devices in your units, newest first, with their reason'),
    zQuery(query),
    async (c) => {
      const p = c.get('principal');
      const q = c.req.valid('query');
      const base = {
        limit: q.limit,
        ...(q.before ? { beforeId: q.before } : {}),
        ...(q.reason ? { reason: q.reason } : {}),
      };
      if (isTopAdmin(core.registry, p)) {
        return c.json(
          {
            items: await core.deadLetters.list(base),
            counts: core.deadLetters.counts() as Record<string, number> | null,
          },
          200,
        );
      }
      const scope = unitsFor(core, c, p, undefined);
      const deviceIds = scope.ok ? devicesInUnits(core.db, scope.units).map((d) => d.id) : [];
      const items = deviceIds.length === 0 ? [] : await core.deadLetters.list({ ...base, deviceIds });
      return c.json({ items, counts: null as Record<string, number> | null }, 200);
    },
  );
}
