import { doc } from '../openapi.ts';
import { Hono } from 'hono';
import { z } from 'zod';
import { unitRef } from '../auth/me.ts';
import { type ApiEnv, canSee } from '../context.ts';
import type { ApiCore } from '../deps.ts';
import { unitFilter } from '../params.ts';
import { peopleInUnits } from '../queries.ts';
import { unitsFor } from '../scope.ts';
import { zQuery } from '../validate.ts';

/**
 * GET /people?unit= — the people holding roles in the caller's units (duty rosters, phone
 * numbers). Never a password hash; only the roles the caller can see.
 */
export function peopleRoutes(core: ApiCore) {
  return new Hono<ApiEnv>().get(
    '/people',
    doc('registry', 'People with roles in your units'),
    zQuery(z.object(unitFilter)),
    (c) => {
      const p = c.get('principal');
      const scope = unitsFor(core, c, p, c.req.valid('query').unit);
      if (!scope.ok) return scope.response;
      const items = peopleInUnits(core.db, scope.units).flatMap((id) => {
        const person = core.registry.getPerson(id);
        if (!person) return [];
        return [
          {
            id: person.id,
            name: person.name,
            phone: person.phone,
            lang: person.lang,
            team: person.team,
            username: person.username,
            roles: person.roles
              .filter((r) => canSee(core.registry, p, r.unit))
              .map((r) => ({ role: r.role, unit: unitRef(core.registry, r.unit) })),
          },
        ];
      });
      return c.json({ items }, 200);
    },
  );
}
