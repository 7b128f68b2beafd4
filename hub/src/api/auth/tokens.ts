import { doc } from '../openapi.ts';
import { Hono } from 'hono';
import { z } from 'zod';
import type { PersonRecord, Registry } from '../../registry/registry.ts';
import { type ApiEnv, isAdminOf, type Principal } from '../context.ts';
import type { ApiCore } from '../deps.ts';
import { apiError } from '../errors.ts';
import { zJson, zParam } from '../validate.ts';
import type { TokenRecord } from './credentials.ts';
import { meOf } from './me.ts';
import { throttleRoutes } from './throttles.ts';

/**
 * An admin may act for a person only when every unit of that person's roles lies within the
 * admin's units: a banner admin can't mint a token that sees the whole league.
 */
export function administers(registry: Registry, p: Principal, person: PersonRecord): boolean {
  return person.roles.length > 0 && person.roles.every((r) => isAdminOf(registry, p, r.unit));
}

const tokenView = (t: TokenRecord) => ({
  id: t.id,
  person: t.personId,
  label: t.label,
  createdBy: t.createdBy,
  createdAt: t.createdAt,
  expiresAt: t.expiresAt,
  lastUsedAt: t.lastUsedAt,
  revokedAt: t.revokedAt,
});

/** GET /me and API tokens for integrations (authenticated). */
export function accountRoutes(core: ApiCore) {
  const createSchema = z.object({
    person: z.string().min(1).max(64),
    label: z.string().min(1).max(120),
    expiresInDays: z.number().int().min(1).max(core.auth.tokenMaxDays).optional(),
  });
  return new Hono<ApiEnv>()
    .route('/', throttleRoutes(core))
    .get('/me', doc('auth', 'Who you are: person, roles, language'), (c) => {
      const p = c.get('principal');
      return c.json(
        meOf(core.registry, { id: p.personId, name: p.name, lang: p.lang, roles: p.roles, via: p.via }),
        200,
      );
    })
    .post(
      '/tokens',
      doc('auth', 'Create an API token (shown once)', { status: 201 }),
      zJson(createSchema),
      (c) => {
        const p = c.get('principal');
        const body = c.req.valid('json');
        const person = core.registry.getPerson(body.person);
        if (!person || !administers(core.registry, p, person)) {
          return apiError(
            c,
            403,
            'forbidden',
            `you may not create tokens for ${body.person}: you are not admin of all their units`,
          );
        }
        const expiresAt = body.expiresInDays ? core.clock.now() + body.expiresInDays * 24 * 3600_000 : null;
        const { token, record } = core.credentials.createToken({
          personId: person.id,
          label: body.label,
          createdBy: p.personId,
          expiresAt,
        });
        core.log.info({ tokenId: record.id, personId: person.id, by: p.personId }, 'API token created');
        c.header('Cache-Control', 'no-store');
        return c.json({ token, ...tokenView(record) }, 201);
      },
    )
    .get('/tokens', doc('auth', 'Your API tokens (without their secrets)'), (c) => {
      const p = c.get('principal');
      const mine = (t: TokenRecord) => {
        if (t.personId === p.personId) return true;
        const person = core.registry.getPerson(t.personId);
        return person !== undefined && administers(core.registry, p, person);
      };
      return c.json({ items: core.credentials.listTokens().filter(mine).map(tokenView) }, 200);
    })
    .delete(
      '/tokens/:id',
      doc('auth', 'Revoke one of your API tokens'),
      zParam(z.object({ id: z.string().min(1).max(64) })),
      (c) => {
        const p = c.get('principal');
        const t = core.credentials.getToken(c.req.valid('param').id);
        const person = t && core.registry.getPerson(t.personId);
        if (!t || !person || (t.personId !== p.personId && !administers(core.registry, p, person))) {
          return apiError(c, 404, 'not_found', 'no such token among those you manage');
        }
        core.credentials.revokeToken(t.id);
        core.log.info({ tokenId: t.id, by: p.personId }, 'API token revoked');
        return c.json({ ok: true as const }, 200);
      },
    );
}
