import { doc } from '../api/openapi.ts';
import { type Context, Hono } from 'hono';
import cron from 'node-cron';
import { z } from 'zod';
import { type ApiEnv, canActAs, canSee, scopeUnits } from '../api/context.ts';
import { apiError, } from '../api/errors.ts';
import { type JsonInput, type QueryInput, readJson } from '../api/validate.ts';
import type { HubContext } from '../context.ts';
import { ulidAt } from '../ids.ts';
import type { Role } from '../registry/schema.ts';
import type { BroadcastModule } from './module.ts';
import { noticeDraftSchema, noticeScheduleSchema } from './schema.ts';
import type { UnitProgress } from './store.ts';

/** Who may broadcast: anyone with a duty role, within their own unit (a grid worker only to their grid). */
export const BROADCAST_ROLES: readonly Role[] = [
  'grid-worker',
  'grid-leader',
  'village-secretary',
  'station-officer',
  'banner-duty-officer',
  'league-duty-officer',
  'admin',
];

const LEVELS = ['grid', 'gacha', 'sumu', 'banner', 'league'] as const;
const noticeListQuery = z.object({ active: z.enum(['1', 'true', 'false']).optional() });

const body = readJson;

const noticeNotFound = (c: Context<ApiEnv>) =>
  apiError(c, 404, 'not_found', `notice ${c.req.param('id')} was not found among the notices you can see`);

export function noticeRoutes(deps: { module: () => BroadcastModule; ctx: () => HubContext }) {
  /** The principal's role unit that covers every target, nearest first (the issuer of the notice). */
  const issuerUnit = (p: ApiEnv['Variables']['principal'], targets: string[]) => {
    const reg = deps.ctx().registry;
    return p.roles
      .filter((r) => BROADCAST_ROLES.includes(r.role) && targets.every((t) => reg.isWithin(t, r.unit)))
      .sort((a, b) => reg.unitChain(b.unit).length - reg.unitChain(a.unit).length)[0]?.unit;
  };

  const visible = (c: { get(k: 'principal'): ApiEnv['Variables']['principal'] }, id: string) => {
    const n = deps.module().store().get(id);
    if (!n) return undefined;
    const reg = deps.ctx().registry;
    const p = c.get('principal');
    const ok =
      canSee(reg, p, n.issuerUnit) ||
      n.targets.some((t) => canSee(reg, p, t) || p.roles.some((r) => reg.isWithin(r.unit, t)));
    return ok ? n : undefined;
  };

  return new Hono<ApiEnv>()
    .post(
      '/notices',
      doc('notices', 'Send a notice to households of one or more units', {
        status: 201,
        body: noticeDraftSchema,
      }),
      async (c: Context<ApiEnv, '/notices', JsonInput<typeof noticeDraftSchema>>) => {
        const p = c.get('principal');
        const b = await body(c, noticeDraftSchema);
        if (!b.ok) return b.res;
        const reg = deps.ctx().registry;
        const unknown = b.data.targets.filter((t) => !reg.getUnit(t));
        if (unknown.length > 0)
          return apiError(c, 422, 'unknown_unit', `unknown target unit(s): ${unknown.join(', ')}`);
        const denied = b.data.targets.filter((t) => !canActAs(reg, p, t, BROADCAST_ROLES));
        if (denied.length > 0) {
          return apiError(
            c,
            403,
            'forbidden',
            `you may not broadcast to ${denied.join(', ')}: only to units within your own`,
          );
        }
        const issuer = issuerUnit(p, b.data.targets);
        if (!issuer)
          return apiError(
            c,
            403,
            'forbidden',
            'no single role of yours covers all targets; send one notice per unit',
          );
        const n = await deps
          .module()
          .createNotice(b.data, { personId: p.personId, unitId: issuer, name: p.name });
        return c.json(n, 201);
      },
    )
    .get(
      '/notices',
      doc('notices', 'Notices you issued or that reach your units', { query: noticeListQuery }),
      (c: Context<ApiEnv, '/notices', QueryInput<{ active?: '1' | 'true' | 'false' }>>) => {
        const p = c.get('principal');
        const active = c.req.query('active') === '1' || c.req.query('active') === 'true';
        const list = deps
          .module()
          .store()
          .list({ units: scopeUnits(p), limit: 200, active, now: deps.ctx().clock.now() });
        return c.json({ notices: list });
      },
    )
    .get('/notices/:id', doc('notices', 'One notice'), (c) => {
      const n = visible(c, c.req.param('id'));
      if (!n) return noticeNotFound(c);
      return c.json({ notice: n, audit: deps.module().store().auditTrail(n.id) });
    })
    .get(
      '/notices/:id/progress',
      doc('notices', 'Receipt progress of a notice per unit at one level (default grid)', {
        query: z.object({ level: z.enum(LEVELS).optional() }),
      }),
      (c: Context<ApiEnv, '/notices/:id/progress', QueryInput<{ level?: (typeof LEVELS)[number] }>>) => {
        const n = visible(c, c.req.param('id'));
        if (!n) return noticeNotFound(c);
        const level = z.enum(LEVELS).default('grid').safeParse(c.req.query('level'));
        if (!level.success)
          return apiError(c, 400, 'invalid_query', `level must be one of ${LEVELS.join(', ')}`);
        const reg = deps.ctx().registry;
        const p = c.get('principal');
        const grids = deps
          .module()
          .store()
          .progressByGrid(n.id, n.targets)
          .filter((g) => canSee(reg, p, g.unitId));
        const rows = new Map<string, UnitProgress>();
        const total: UnitProgress = { unitId: 'total', targeted: 0, delivered: 0, read: 0, outstanding: 0 };
        for (const g of grids) {
          const at = reg.unitChain(g.unitId).find((u) => u.level === level.data)?.id ?? g.unitId;
          const row = rows.get(at) ?? { unitId: at, targeted: 0, delivered: 0, read: 0, outstanding: 0 };
          for (const k of ['targeted', 'delivered', 'read', 'outstanding'] as const) {
            row[k] += g[k];
            total[k] += g[k];
          }
          rows.set(at, row);
        }
        const units = [...rows.values()].map((r) => ({ ...r, name: reg.getUnit(r.unitId)?.name }));
        return c.json({ noticeId: n.id, state: n.state, level: level.data, total, units });
      },
    )
    .get(
      '/notices/:id/unreached',
      doc('notices', 'Households whose boxes have not confirmed the notice'),
      (c) => {
        const n = visible(c, c.req.param('id'));
        if (!n) return noticeNotFound(c);
        const what = c.req.query('what') === 'read' ? 'read' : 'delivered';
        const reg = deps.ctx().registry;
        const p = c.get('principal');
        const households = deps
          .module()
          .store()
          .unreached(n.id, n.targets, what)
          .filter((h) => canSee(reg, p, h.grid));
        return c.json({ noticeId: n.id, what, households });
      },
    )
    .post('/notices/:id/cancel', doc('notices', 'Cancel a notice (boxes take it down)'), (c) => {
      const n = visible(c, c.req.param('id'));
      const p = c.get('principal');
      if (!n) return noticeNotFound(c);
      if (!canActAs(deps.ctx().registry, p, n.issuerUnit, BROADCAST_ROLES)) {
        return apiError(c, 403, 'forbidden', 'only people of the issuing unit may cancel this notice');
      }
      if (!deps.module().cancelNotice(n.id, p.personId))
        return apiError(c, 409, 'conflict', 'the notice is already cancelled');
      return c.json({ notice: deps.module().store().get(n.id) });
    })
    .post(
      '/notice-schedules',
      doc('notices', 'Schedule a recurring notice (cron, Asia/Shanghai)', {
        status: 201,
        body: noticeScheduleSchema,
      }),
      async (c) => {
        const p = c.get('principal');
        const b = await body(c, noticeScheduleSchema);
        if (!b.ok) return b.res;
        if (!cron.validate(b.data.cron))
          return apiError(c, 400, 'invalid_body', `cron: ${b.data.cron} is not a valid cron expression`);
        const reg = deps.ctx().registry;
        const denied = b.data.template.targets.filter((t) => !canActAs(reg, p, t, BROADCAST_ROLES));
        if (denied.length > 0)
          return apiError(c, 403, 'forbidden', `you may not broadcast to ${denied.join(', ')}`);
        const ctx = deps.ctx();
        const id = `sch-${ulidAt(ctx.clock.now())}`;
        ctx.db
          .prepare(
            'INSERT INTO notice_schedules (id, cron, timezone, template, created_by, created_at, active) VALUES (?, ?, ?, ?, ?, ?, 1)',
          )
          .run(
            id,
            b.data.cron,
            b.data.timezone,
            JSON.stringify(b.data.template),
            p.personId,
            ctx.clock.now(),
          );
        deps.module().store().audit(ctx.clock.now(), p.personId, 'schedule', null, {
          id,
          cron: b.data.cron,
          targets: b.data.template.targets,
        });
        deps.module().armSchedule(id);
        return c.json({ id, ...b.data }, 201);
      },
    )
    .get('/notice-schedules', doc('notices', 'Recurring notice schedules'), (c) => {
      const p = c.get('principal');
      const reg = deps.ctx().registry;
      const rows = deps
        .ctx()
        .db.prepare(
          'SELECT id, cron, timezone, template, created_by AS createdBy, active FROM notice_schedules ORDER BY created_at',
        )
        .all() as {
        id: string;
        cron: string;
        timezone: string;
        template: string;
        createdBy: string;
        active: number;
      }[];
      const schedules = rows
        .map((r) => ({
          ...r,
          active: r.active === 1,
          template: JSON.parse(r.template) as { targets: string[] },
        }))
        .filter((r) => r.template.targets.some((t) => canSee(reg, p, t)));
      return c.json({ schedules });
    });
}
