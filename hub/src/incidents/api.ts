import { doc } from '../api/openapi.ts';
import { INCIDENT_STATES, positionSchema, SEVERITIES, unitIdSchema } from '@steppelink/protocols';
import { Hono } from 'hono';
import { createFactory } from 'hono/factory';
import { z } from 'zod';
import { visibleUnits } from '../api/auth/principal.ts';
import { type ApiEnv, canActAs, canSee, type Principal } from '../api/context.ts';
import { apiError, notFound } from '../api/errors.ts';
import { intParam, timeParam } from '../api/params.ts';
import { zJson, zQuery } from '../api/validate.ts';
import type { HubContext } from '../context.ts';
import { escalationChain } from '../duty/chain.ts';
import type { RosterStore } from '../duty/roster-store.ts';
import type { ChannelName } from '../notify/port.ts';
import type { StreamHub } from '../notify/stream.ts';
import { ROLES, type Role, type UnitLevel } from '../registry/schema.ts';
import { dutyRoutes } from './api-duty.ts';
import { drillRoutes } from './api-drills.ts';
import { handoverRoutes } from './api-handover.ts';
import { messageRoutes } from './api-messages.ts';
import { policyRoutes } from './api-policies.ts';
import { streamRoute } from './api-stream.ts';
import type { Action, IncidentEngine } from './engine.ts';
import type { HandoverSources } from './handover/gather.ts';
import type { PolicyStore } from './policy-store.ts';
import type { Actor, Incident } from './store.ts';
import { RESCUES, reportSummary } from './texts.ts';
import { viewOf } from './view.ts';

export interface IncidentApiDeps {
  engine(): IncidentEngine;
  ctx(): HubContext;
  rosters(): RosterStore;
  policies(): PolicyStore;
  stream: StreamHub;
  chainTop: UnitLevel;
  /** The rescue handover's other sources (water points and roads, the time zone of ages). */
  handover: Omit<HandoverSources, 'ctx' | 'engine'>;
  /** After a dispatch was committed: the rescue handover goes to the dispatch webhook (handover/dispatch.ts). */
  onDispatched?: (inc: Incident) => Promise<void>;
}

/** Roles that may act on incidents in their units (everyone on the duty chain; not registry admins). */
export const ACT_ROLES: readonly Role[] = ROLES.filter((r) => r !== 'admin');

/** `state` filter values: `open` (any state not closed; `active` says the same), `closed`, or one exact state. */
const STATE_FILTERS = ['open', 'active', 'closed', ...INCIDENT_STATES.filter((s) => s !== 'open')] as const;
const LIST_DESCRIPTION =
  '`state` takes a comma-separated list: `open` is every incident not closed yet (paged, acknowledged ' +
  'or dispatched included; `active` is the same), `closed` every closed one, any other value that exact ' +
  'state (notified, acknowledged, dispatched, resolved, cancelled, false-alarm).';

const listQuery = z.object({
  state: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(STATE_FILTERS)))
    .optional()
    .describe(
      'open | closed | notified | acknowledged | dispatched | resolved | cancelled | false-alarm, comma-separated',
    ),
  unit: unitIdSchema.optional(),
  since: timeParam.optional(),
  until: timeParam.optional(),
  source: z.enum(['sos', 'rule', 'report', 'task']).optional(),
  limit: intParam(1, 500).default(100),
});
const actionBody = z.object({
  note: z.string().max(1000).optional(),
  rescue: z.enum(RESCUES).optional(),
});
/** 事件上报 (POST /reports): a worker reports a dispute, a livelihood problem or a hazard in their unit. */
export const REPORT_CATEGORIES = ['dispute', 'livelihood', 'hazard', 'other'] as const;
const reportBody = z.object({
  /** Client-made id: a phone on a weak link can retry without making a second report. */
  id: z
    .string()
    .regex(/^[\w.:-]{1,64}$/)
    .optional(),
  category: z.enum(REPORT_CATEGORIES),
  severity: z.enum(SEVERITIES).default('medium'),
  note: z.string().min(1).max(2000),
  unit: unitIdSchema.optional(),
  householdId: z.string().min(1).max(64).optional(),
  pos: positionSchema.optional(),
});

/** One page or sos-ack to one receiver on one channel, as the incident detail answers it (a `deliveries` row). */
interface DeliveryRecord {
  kind: string;
  level: number | null;
  reminder: number | null;
  person: string | null;
  device: string | null;
  channel: ChannelName;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

export const actorOf = (p: Principal): Actor => ({ kind: 'person', id: p.personId, name: p.name });

const factory = createFactory<ApiEnv, '/incidents/:id'>();

/**
 * /api/incidents, /api/reports and (via dutyRoutes) rosters, duty and statistics. The stream,
 * statistics and duty routes come before `/incidents/:id` so that it does not take their paths.
 */
export function incidentRoutes(d: IncidentApiDeps) {
  const reg = () => d.ctx().registry;
  const db = () => d.ctx().db;

  /** One handler per action (ack, dispatch, ...), each its own typed route. */
  const act = (action: Exclude<Action, 'decline'>) =>
    factory.createHandlers(zJson(actionBody), async (c) => {
      await d.engine().committed(c.req.param('id') ?? ''); // an incident paged a moment ago may still be on its way in
      const p = c.get('principal');
      const body = c.req.valid('json');
      const id = c.req.param('id');
      const inc = d.engine().get(id);
      if (!inc || !canSee(reg(), p, inc.unit)) return notFound(c, 'incident', id);
      if (!canActAs(reg(), p, inc.unit, ACT_ROLES)) {
        return apiError(c, 403, 'forbidden', `your roles do not let you ${action} incidents in ${inc.unit}`);
      }
      if (action !== 'dispatch' && body.rescue !== undefined) {
        return apiError(c, 400, 'invalid_body', 'rescue is only for dispatch');
      }
      const r = await d.engine().act(inc.id, action, actorOf(p), {
        ...(body.note ? { note: body.note } : {}),
        ...(body.rescue ? { rescue: body.rescue } : {}),
      });
      if (!r.ok) return apiError(c, r.status, r.status === 409 ? 'conflict' : 'not_found', r.error);
      if (action === 'dispatch') await d.onDispatched?.(r.incident);
      return c.json({ incident: viewOf(reg(), r.incident, db()) });
    });

  return new Hono<ApiEnv>()
    .route('/', streamRoute(d))
    .route('/', dutyRoutes(d))
    .route('/', policyRoutes(d))
    .route('/', drillRoutes(d))
    .route('/', handoverRoutes(d))
    .route('/', messageRoutes(d))
    .get(
      '/incidents',
      doc('incidents', 'Incidents in your units, newest first', { description: LIST_DESCRIPTION }),
      zQuery(listQuery),
      (c) => {
        const p = c.get('principal');
        const q = c.req.valid('query');
        if (q.unit !== undefined && (!reg().getUnit(q.unit) || !canSee(reg(), p, q.unit))) {
          return apiError(c, 403, 'out_of_scope', `unit ${q.unit} is not within the units you can see`);
        }
        const units = q.unit ? reg().descendants(q.unit) : visibleUnits(reg(), p);
        const where = ['unit IN (SELECT value FROM json_each(@units))'];
        // One condition per value, any of them may hold: ?state=open,resolved is what is open or resolved.
        const states = new Set(q.state ?? []);
        const any: string[] = [];
        if (states.has('open') || states.has('active')) any.push('closed_at IS NULL');
        if (states.has('closed')) any.push('closed_at IS NOT NULL');
        const exact = [...states].filter((s) => s !== 'open' && s !== 'active' && s !== 'closed');
        if (exact.length > 0) any.push('state IN (SELECT value FROM json_each(@states))');
        if (any.length > 0) where.push(`(${any.join(' OR ')})`);
        if (q.since !== undefined) where.push('opened_at >= @since');
        if (q.until !== undefined) where.push('opened_at < @until');
        if (q.source !== undefined) where.push('source = @source');
        const ids = db()
          .prepare(
            `SELECT id FROM incidents WHERE ${where.join(' AND ')} ORDER BY opened_at DESC LIMIT @limit`,
          )
          .pluck()
          .all({
            units: JSON.stringify(units),
            states: JSON.stringify(exact),
            since: q.since ?? null,
            until: q.until ?? null,
            source: q.source ?? null,
            limit: q.limit,
          }) as string[];
        const items = ids.flatMap((id) => {
          const inc = d.engine().get(id);
          return inc ? [viewOf(reg(), inc, db())] : [];
        });
        return c.json({ items, count: items.length });
      },
    )
    .get(
      '/incidents/:id',
      doc('incidents', 'One incident: its state, chain, timeline, positions and every delivery row'),
      (c) => {
        const p = c.get('principal');
        const inc = d.engine().get(c.req.param('id'));
        if (!inc || !canSee(reg(), p, inc.unit)) return notFound(c, 'incident', c.req.param('id'));
        const rows = db()
          .prepare(
            `SELECT kind, level, reminder, person, device, channel, status, attempts, last_error AS lastError,
           created_at AS createdAt, updated_at AS updatedAt, delivered_at AS deliveredAt
         FROM deliveries WHERE incident_id = ? ORDER BY id`,
          )
          .all(inc.id) as DeliveryRecord[];
        // the person's name beside the id: the board shows who was paged without a registry read
        const deliveries = rows.map((r) => ({
          ...r,
          personName: r.person === null ? null : (reg().getPerson(r.person)?.name ?? null),
        }));
        return c.json({
          incident: viewOf(reg(), inc, db()),
          chain: inc.chain,
          timeline: d.engine().timeline(inc.id),
          positions: d.engine().positions(inc.id),
          deliveries,
        });
      },
    )
    .post('/incidents/:id/ack', doc('incidents', 'Acknowledge: I have it'), ...act('ack'))
    .post(
      '/incidents/:id/dispatch',
      doc('incidents', 'Dispatch rescue (rescue: worker, ambulance, helicopter, police, patrol, …)'),
      ...act('dispatch'),
    )
    .post('/incidents/:id/resolve', doc('incidents', 'Resolve: help arrived, it is over'), ...act('resolve'))
    .post('/incidents/:id/false-alarm', doc('incidents', 'Close as a false alarm'), ...act('false-alarm'))
    .post('/incidents/:id/cancel', doc('incidents', 'Cancel (the household called it off)'), ...act('cancel'))
    .post(
      '/reports',
      doc('incidents', 'Report an event (事件上报): dispute, livelihood, hazard, other', { status: 201 }),
      zJson(reportBody),
      async (c) => {
        const p = c.get('principal');
        const b = c.req.valid('json');
        const hh = b.householdId ? reg().getHousehold(b.householdId) : undefined;
        if (b.householdId && (!hh || !canSee(reg(), p, hh.grid)))
          return notFound(c, 'household', b.householdId);
        const unitId =
          b.unit ?? hh?.grid ?? p.roles.find((r) => r.role === 'grid-worker')?.unit ?? p.roles[0]?.unit;
        const unit = unitId ? reg().getUnit(unitId) : undefined;
        if (!unit || !canActAs(reg(), p, unit.id, ACT_ROLES)) {
          return apiError(
            c,
            403,
            'forbidden',
            `you can report only in units where you hold a duty role (${unitId ?? 'none given'})`,
          );
        }
        const now = d.ctx().clock.now();
        const r = await d.engine().raise(
          {
            source: 'report',
            category: b.category,
            severity: b.severity,
            unitId: unit.id,
            key: `report:${p.personId}:${b.id ?? `${now}`}`,
            ...(hh ? { householdId: hh.id } : {}),
            ...(b.pos ? { pos: b.pos } : {}),
            at: now,
            summary: reportSummary({
              category: b.category,
              unitName: unit.name,
              reporter: p.name,
              note: b.note,
            }),
            details: { note: b.note, reporter: p.personId },
          },
          {
            reporter: p.personId,
            ...(b.id ? { msg: { source: `report:${p.personId}`, id: b.id } } : {}),
            chain: escalationChain(reg(), unit.id, { top: d.chainTop }),
          },
        );
        const inc = d.engine().get(r.incidentId);
        return c.json(
          { created: r.created, incident: inc ? viewOf(reg(), inc, db()) : null },
          r.created ? 201 : 200,
        );
      },
    );
}
