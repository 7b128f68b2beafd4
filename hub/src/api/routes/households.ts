import { doc } from '../openapi.ts';
import { Hono } from 'hono';
import { z } from 'zod';
import { type ApiEnv, canSee } from '../context.ts';
import type { ApiCore } from '../deps.ts';
import { notFound } from '../errors.ts';
import { idParam, pageParams, unitFilter } from '../params.ts';
import { devicesOfHousehold, householdIdsInUnits } from '../queries.ts';
import { deviceView, unitsFor } from '../scope.ts';
import { zParam, zQuery } from '../validate.ts';

/** GET /households?unit= (a page of households), GET /households/:id (members, location, devices). */
export function householdRoutes(core: ApiCore) {
  const listQuery = z.object({ ...unitFilter, ...pageParams(core.limits.maxPageSize, 200) });
  return new Hono<ApiEnv>()
    .get('/households', doc('registry', 'Households in your units'), zQuery(listQuery), (c) => {
      const q = c.req.valid('query');
      const scope = unitsFor(core, c, c.get('principal'), q.unit);
      if (!scope.ok) return scope.response;
      const { total, ids } = householdIdsInUnits(core.db, scope.units, q.limit, q.offset);
      const items = ids.flatMap((id) => {
        const h = core.registry.getHousehold(id);
        return h
          ? [
              {
                id: h.id,
                grid: h.grid,
                name: h.name,
                phone: h.phone ?? null,
                lang: h.lang,
                location: h.location,
                members: h.members.length,
              },
            ]
          : [];
      });
      return c.json({ items, total, limit: q.limit, offset: q.offset }, 200);
    })
    .get(
      '/households/:id',
      doc('registry', 'One household: members, camp, pasture, devices'),
      zParam(idParam),
      (c) => {
        const { id } = c.req.valid('param');
        const h = core.registry.getHousehold(id);
        if (!h || !canSee(core.registry, c.get('principal'), h.grid)) return notFound(c, 'household', id);
        const devices = devicesOfHousehold(core.db, id).map((d) => deviceView(d, h.grid));
        return c.json({ ...h, phone: h.phone ?? null, notes: h.notes ?? null, devices }, 200);
      },
    );
}
