import { doc } from '../openapi.ts';
import type { Texts } from '@steppelink/protocols';
import { Hono } from 'hono';
import type { UnitLevel } from '../../registry/schema.ts';
import type { Registry } from '../../registry/registry.ts';
import { unitRef } from '../auth/me.ts';
import { scopeRoots } from '../auth/principal.ts';
import { type ApiEnv, canSee } from '../context.ts';
import type { ApiCore } from '../deps.ts';
import { notFound } from '../errors.ts';
import { idParam } from '../params.ts';
import { zParam } from '../validate.ts';

export interface UnitNode {
  id: string;
  level: UnitLevel;
  name: Texts;
  center?: { lat: number; lon: number };
  children: UnitNode[];
}

function tree(registry: Registry, id: string): UnitNode | undefined {
  const u = registry.getUnit(id);
  if (!u) return undefined;
  const children = registry
    .childrenOf(id)
    .slice()
    .sort()
    .map((c) => tree(registry, c))
    .filter((n): n is UnitNode => n !== undefined);
  return { id: u.id, level: u.level, name: u.name, ...(u.center ? { center: u.center } : {}), children };
}

/** GET /units (the caller's units as trees, without boundaries), GET /units/:id (one unit in full). */
export function unitRoutes(core: ApiCore) {
  return new Hono<ApiEnv>()
    .get('/units', doc('registry', 'The unit tree you can see'), (c) => {
      const roots = scopeRoots(core.registry, c.get('principal'))
        .map((id) => tree(core.registry, id))
        .filter((n): n is UnitNode => n !== undefined);
      return c.json({ roots }, 200);
    })
    .get('/units/:id', doc('registry', 'One unit with its children and counts'), zParam(idParam), (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const u = core.registry.getUnit(id);
      if (!u || !canSee(core.registry, p, id)) return notFound(c, 'unit', id);
      return c.json(
        {
          ...u,
          /** ancestors, nearest first, for a breadcrumb (names of the units above are not secret) */
          ancestors: core.registry
            .unitChain(id)
            .slice(1)
            .map((a) => unitRef(core.registry, a.id)),
          children: core.registry
            .childrenOf(id)
            .slice()
            .sort()
            .map((ch) => unitRef(core.registry, ch)),
        },
        200,
      );
    });
}
