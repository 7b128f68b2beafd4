import { SEVERITIES, unitIdSchema } from '@steppelink/protocols';
import { Hono } from 'hono';
import { z } from 'zod';
import { type ApiEnv, canSee, isAdminOf, type Principal } from '../api/context.ts';
import { apiError } from '../api/errors.ts';
import { doc } from '../api/openapi.ts';
import { zJson, zQuery } from '../api/validate.ts';
import type { HubContext } from '../context.ts';
import { DEFAULT_POLICY } from './defaults.ts';
import { policyEntrySchema } from './policy.ts';
import type { PolicyStore } from './policy-store.ts';

export interface PolicyApiDeps {
  ctx(): HubContext;
  policies(): PolicyStore;
}

const whereQuery = z.object({
  unit: unitIdSchema.optional().describe('the unit; without it the league-wide policy'),
  severity: z.enum(SEVERITIES),
});
const effectiveQuery = z.object({ unit: unitIdSchema, severity: z.enum(SEVERITIES).optional() });

/**
 * /api/policies: escalation policies as data (issue #24). Everyone signed in reads those of the
 * units they see; an admin of a unit sets or removes that unit's (the league-wide one needs an
 * admin of the top unit). Every change is audited and holds for incidents raised after it.
 */
export function policyRoutes(d: PolicyApiDeps) {
  const reg = () => d.ctx().registry;
  const isTopAdmin = (p: Principal) =>
    p.roles.some((r) => r.role === 'admin' && reg().getUnit(r.unit)?.parent === null);
  const mayEdit = (p: Principal, unit: string | null) =>
    unit === null ? isTopAdmin(p) : isAdminOf(reg(), p, unit);

  return new Hono<ApiEnv>()
    .get('/policies', doc('policies', 'Stored policies of the units you see, and the defaults'), (c) => {
      const p = c.get('principal');
      const items = d
        .policies()
        .list()
        .filter(
          (x) =>
            x.unit === null ||
            canSee(reg(), p, x.unit) ||
            p.roles.some((r) => reg().isWithin(r.unit, x.unit!)),
        );
      return c.json({ defaults: DEFAULT_POLICY, items });
    })
    .get(
      '/policies/effective',
      doc('policies', 'The policy a new incident at a unit gets now, per severity, and where it comes from'),
      zQuery(effectiveQuery),
      (c) => {
        const p = c.get('principal');
        const q = c.req.valid('query');
        if (!reg().getUnit(q.unit) || !canSee(reg(), p, q.unit)) {
          return apiError(c, 403, 'out_of_scope', `unit ${q.unit} is not within the units you can see`);
        }
        const chain = reg()
          .unitChain(q.unit)
          .map((u) => u.id);
        const severities = q.severity ? [q.severity] : SEVERITIES;
        return c.json({
          unit: q.unit,
          policies: Object.fromEntries(severities.map((s) => [s, d.policies().resolve(chain, s)])),
        });
      },
    )
    .get(
      '/policies/audit',
      doc('policies', 'Changes to policies, newest first: who, when, before, after'),
      (c) => {
        const p = c.get('principal');
        const items = d
          .policies()
          .audit()
          .filter((a) => (a.unit === null ? true : canSee(reg(), p, a.unit)))
          // who, by name as well: the dashboard's audit list shows people, not person ids
          .map((a) => ({ ...a, byName: a.by ? (reg().getPerson(a.by)?.name ?? a.by) : null }));
        return c.json({ items });
      },
    )
    .put(
      '/policies',
      doc(
        'policies',
        'Set the policy of a severity for a unit and everything under it (unit null: league-wide)',
      ),
      zJson(policyEntrySchema),
      (c) => {
        const p = c.get('principal');
        const e = c.req.valid('json');
        if (e.unit !== null && !reg().getUnit(e.unit))
          return apiError(c, 422, 'unknown_unit', `unit ${e.unit} is not in the registry`);
        if (!mayEdit(p, e.unit)) {
          return apiError(
            c,
            403,
            'forbidden',
            e.unit === null
              ? 'the league-wide policy needs the admin role at the top unit'
              : `setting the policy of ${e.unit} needs the admin role there or above`,
          );
        }
        const [saved] = d.policies().set([e], p.personId, d.ctx().clock.now());
        d.ctx().log.info({ by: p.personId, unit: e.unit, severity: e.severity }, 'escalation policy set');
        return c.json({ policy: saved });
      },
    )
    .delete(
      '/policies',
      doc('policies', 'Remove a unit’s policy for a severity: its units inherit from above again'),
      zQuery(whereQuery),
      (c) => {
        const p = c.get('principal');
        const q = c.req.valid('query');
        const unit = q.unit ?? null;
        if (!mayEdit(p, unit))
          return apiError(c, 403, 'forbidden', 'removing a policy needs the admin role there or above');
        if (!d.policies().delete(unit, q.severity, p.personId, d.ctx().clock.now())) {
          return apiError(
            c,
            404,
            'not_found',
            `no ${q.severity} policy is stored for ${unit ?? 'the league'}`,
          );
        }
        return c.json({ deleted: { unit, severity: q.severity } });
      },
    );
}
