import { doc } from '../api/openapi.ts';
import { unitIdSchema } from '@steppelink/protocols';
import { Hono } from 'hono';
import { z } from 'zod';
import { scopeRoots } from '../api/auth/principal.ts';
import { type ApiEnv, canActAs, canSee } from '../api/context.ts';
import { apiError, summarizeIssues } from '../api/errors.ts';
import { timeParam } from '../api/params.ts';
import { readJson, zQuery } from '../api/validate.ts';
import { escalationChain } from '../duty/chain.ts';
import { type Role, rostersSchema, UNIT_LEVELS } from '../registry/schema.ts';
import type { IncidentApiDeps } from './api.ts';
import { leagueCsv, leagueTable } from './stats.ts';
import { roleName } from './texts.ts';

/** Who may edit the rosters of a unit (within their own units). */
export const ROSTER_ROLES: readonly Role[] = [
  'admin',
  'grid-leader',
  'village-secretary',
  'station-officer',
  'banner-duty-officer',
  'league-duty-officer',
];

const statsQuery = z.object({
  unit: unitIdSchema.optional(),
  level: z.enum(UNIT_LEVELS).optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
const CHILD_LEVEL = { league: 'banner', banner: 'sumu', sumu: 'gacha', gacha: 'grid', grid: 'grid' } as const;

/**
 * Rosters (GET; PUT /rosters/:unit replaces the rotations and overrides of exactly that unit with
 * the body's), who is on duty along the escalation chain of a unit (now or `?at=`), daily
 * summaries and the response-statistics league table.
 */
export function dutyRoutes(d: IncidentApiDeps) {
  const reg = () => d.ctx().registry;
  const outOfScope = (unit: string) => `unit ${unit} is not within the units you can see`;

  return new Hono<ApiEnv>()
    .get(
      '/incidents/stats',
      doc(
        'incidents',
        'Response statistics per unit (league table; format=csv for a sheet); drills are left out',
        { produces: ['application/json', 'text/csv'] },
      ),
      zQuery(statsQuery),
      (c) => {
        const p = c.get('principal');
        const q = c.req.valid('query');
        const scope = q.unit ?? scopeRoots(reg(), p)[0];
        const unit = scope ? reg().getUnit(scope) : undefined;
        if (!unit || !canSee(reg(), p, unit.id))
          return apiError(c, 403, 'out_of_scope', outOfScope(scope ?? '(none)'));
        const to = q.to ?? d.ctx().clock.now();
        const from = q.from ?? to - 90 * 86_400_000;
        const rows = leagueTable(d.ctx().db, reg(), {
          scope: unit.id,
          level: q.level ?? CHILD_LEVEL[unit.level],
          from,
          to,
        });
        if (q.format === 'csv') {
          return c.body(leagueCsv(rows), 200, {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="response-${unit.id}-${from}-${to}.csv"`,
          });
        }
        return c.json({ unit: unit.id, from, to, rows });
      },
    )
    .get('/rosters', doc('duty', 'Duty rosters (rotations and overrides) of your units'), (c) => {
      const p = c.get('principal');
      const unit = c.req.query('unit');
      if (unit !== undefined && (!reg().getUnit(unit) || !canSee(reg(), p, unit))) {
        return apiError(c, 403, 'out_of_scope', outOfScope(unit));
      }
      const roots = unit ? [unit] : scopeRoots(reg(), p);
      return c.json(d.rosters().export(new Set(roots.flatMap((u) => reg().descendants(u)))));
    })
    .put(
      '/rosters/:unit',
      doc('duty', 'Replace the rotations and overrides of one unit', { body: rostersSchema }),
      async (c) => {
        const p = c.get('principal');
        const unit = c.req.param('unit');
        if (!reg().getUnit(unit) || !canSee(reg(), p, unit))
          return apiError(c, 403, 'out_of_scope', outOfScope(unit));
        if (!canActAs(reg(), p, unit, ROSTER_ROLES)) {
          return apiError(c, 403, 'forbidden', `your roles do not let you edit the rosters of ${unit}`);
        }
        const parsed = await readJson(c, rostersSchema);
        if (!parsed.ok) return parsed.res;
        const foreign = [...parsed.data.rotations, ...parsed.data.overrides].find((r) => r.unit !== unit);
        if (foreign)
          return apiError(
            c,
            400,
            'invalid_body',
            `every rotation and override must be for ${unit}, not ${foreign.unit}`,
          );
        const r = d.rosters().import(parsed.data, d.ctx().clock.now(), [unit]);
        if (!r.ok) {
          const issues = r.errors.map((e) => ({
            path: [e.section, e.index, e.field],
            code: 'roster',
            message: e.reason,
          }));
          return apiError(c, 400, 'invalid_body', `bad rosters: ${summarizeIssues(issues)}`, issues);
        }
        return c.json(d.rosters().export(new Set([unit])));
      },
    )
    .get(
      '/duty',
      doc('duty', 'Who is on duty at a unit, per role, now or at a time'),
      zQuery(z.object({ unit: unitIdSchema, at: timeParam.optional() })),
      (c) => {
        const p = c.get('principal');
        const q = c.req.valid('query');
        if (!reg().getUnit(q.unit) || !canSee(reg(), p, q.unit))
          return apiError(c, 403, 'out_of_scope', outOfScope(q.unit));
        const at = q.at ?? d.ctx().clock.now();
        const levels = escalationChain(reg(), q.unit, { top: d.chainTop }).map((s, level) => {
          const a = d.rosters().onDuty(s.unit, s.role, at);
          return {
            level,
            unit: s.unit,
            role: s.role,
            roleName: roleName(s.role),
            people: a.people.map((id) => ({ id, name: reg().getPerson(id)?.name ?? id })),
            ...(a.reason ? { reason: a.reason } : {}),
            ...(a.shift ? { shift: { start: a.shift.start, end: a.shift.end } } : {}),
          };
        });
        return c.json({ unit: q.unit, at, levels });
      },
    )
    .get('/duty/summaries', doc('duty', 'Daily duty summaries sent to townships'), (c) => {
      const p = c.get('principal');
      const unit = c.req.query('unit');
      if (!unit || !reg().getUnit(unit) || !canSee(reg(), p, unit)) {
        return apiError(c, 403, 'out_of_scope', outOfScope(unit ?? '(none)'));
      }
      const rows = d
        .ctx()
        .db.prepare(
          'SELECT unit, day, body, created_at AS createdAt FROM duty_summaries WHERE unit = ? ORDER BY day DESC LIMIT 60',
        )
        .all(unit) as { unit: string; day: string; body: string; createdAt: number }[];
      return c.json({ items: rows.map((r) => ({ ...r, body: JSON.parse(r.body) })) });
    });
}
