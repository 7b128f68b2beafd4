import { unitIdSchema } from '@steppelink/protocols';
import { Hono } from 'hono';
import { z } from 'zod';
import { visibleUnits } from '../api/auth/principal.ts';
import { type ApiEnv, canActAs, canSee } from '../api/context.ts';
import { apiError, notFound } from '../api/errors.ts';
import { doc } from '../api/openapi.ts';
import { zJson } from '../api/validate.ts';
import { escalationChain } from '../duty/chain.ts';
import type { Role } from '../registry/schema.ts';
import type { IncidentApiDeps } from './api.ts';
import { actorOf } from './api.ts';
import { DRILL_POLICY } from './policy.ts';
import type { Incident } from './store.ts';
import { prefixed, sosSummary } from './texts.ts';

/** Who may start a drill: the officers above the grid (a drill pages the grid's people for real). */
export const DRILL_ROLES: readonly Role[] = [
  'station-officer',
  'banner-duty-officer',
  'league-duty-officer',
  'admin',
];

const drillBody = z
  .object({
    household: z.string().min(1).max(64).optional().describe('a household: its box gets the drill sos-acks'),
    unit: unitIdSchema.optional().describe('or a unit (a grid): pages its chain, no box'),
    category: z.enum(['medical', 'injury', 'fire', 'lost', 'other']).default('medical'),
  })
  .strict()
  .refine((b) => (b.household === undefined) !== (b.unit === undefined), {
    message: 'name either a household or a unit to drill',
  });

const DRILL_PREFIX = { zh: '【演练】', mn: 'ᠳᠠᠰᠬᠠᠯ:', en: 'DRILL:' };

/** One row of GET /drills, as read from the incidents table. */
interface DrillRow {
  id: string;
  unit: string;
  household: string | null;
  state: Incident['state'];
  openedAt: number;
  ackAt: number | null;
  closedAt: number | null;
}

/**
 * /api/drills (issue #24): a duty officer starts a drill SOS for a household or a unit. It runs
 * the real path — pages to whoever is on duty, the sos-ack to the household's box marked as a
 * drill, escalation — with DRILL_POLICY's short windows, is left out of response statistics,
 * and has a report afterwards: who was paged, on which channel, delivered when, who
 * acknowledged, in how long.
 */
export function drillRoutes(d: IncidentApiDeps) {
  const reg = () => d.ctx().registry;
  const db = () => d.ctx().db;
  const householdName = (id: string | null) => (id ? (reg().getHousehold(id)?.name ?? id) : null);
  const personName = (id: string) => reg().getPerson(id)?.name ?? id;
  return new Hono<ApiEnv>()
    .post(
      '/drills',
      doc('drills', 'Start a drill SOS for a household or a unit', { status: 201 }),
      zJson(drillBody),
      async (c) => {
        const p = c.get('principal');
        const b = c.req.valid('json');
        const hh = b.household ? reg().getHousehold(b.household) : undefined;
        if (b.household && (!hh || !canSee(reg(), p, hh.grid))) return notFound(c, 'household', b.household);
        const unitId = hh?.grid ?? b.unit!;
        const unit = reg().getUnit(unitId);
        if (!unit || !canSee(reg(), p, unitId)) return notFound(c, 'unit', unitId);
        if (!canActAs(reg(), p, unitId, DRILL_ROLES)) {
          return apiError(
            c,
            403,
            'forbidden',
            `starting a drill in ${unitId} needs one of: ${DRILL_ROLES.join(', ')}`,
          );
        }
        const box = hh
          ? reg()
              .listDevices({ unitId })
              .find((x) => x.household === hh.id && x.kind === 'settop' && x.enabled)
          : undefined;
        const now = d.ctx().clock.now();
        const drillId = `drill-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
        const summary = prefixed(
          DRILL_PREFIX,
          sosSummary({
            ...(hh ? { household: hh } : {}),
            unitName: unit.name,
            deviceId: box?.id ?? unitId,
            category: b.category,
          }),
        );
        const r = await d.engine().raise(
          {
            source: 'sos',
            category: b.category,
            severity: 'critical',
            unitId,
            key: `drill:${hh?.id ?? unitId}:${drillId}`, // never joins a real SOS of the household
            ...(hh ? { householdId: hh.id } : {}),
            ...(box ? { deviceId: box.id } : {}),
            at: now,
            summary,
            details: { drill: true, startedBy: p.personId },
          },
          {
            sosId: drillId,
            drill: true,
            policy: DRILL_POLICY,
            reporter: p.personId, // the officer running it is not paged by it
            chain: escalationChain(reg(), unitId, { top: d.chainTop }),
          },
        );
        d.ctx().log.info({ by: actorOf(p).id, incidentId: r.incidentId, unit: unitId }, 'drill started');
        return c.json({ incidentId: r.incidentId, box: box?.id ?? null }, 201);
      },
    )
    .get('/drills', doc('drills', 'Drills in your units, newest first'), (c) => {
      const units = visibleUnits(reg(), c.get('principal'));
      const rows = db()
        .prepare(
          `SELECT id, unit, household, state, opened_at AS openedAt, ack_at AS ackAt, closed_at AS closedAt
           FROM incidents WHERE drill = 1 AND unit IN (SELECT value FROM json_each(?)) ORDER BY opened_at DESC LIMIT 200`,
        )
        .all(JSON.stringify(units)) as DrillRow[];
      // the household's name too: the dashboard's drill list names whom the drill was for
      const items = rows.map((r) => ({ ...r, householdName: householdName(r.household) }));
      return c.json({ items });
    })
    .get(
      '/drills/:id/report',
      doc('drills', 'A drill’s report: who was paged, delivered, acknowledged, in how long'),
      (c) => {
        const inc = d.engine().get(c.req.param('id'));
        if (!inc?.drill || !canSee(reg(), c.get('principal'), inc.unit))
          return notFound(c, 'drill', c.req.param('id'));
        const s = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);
        const rows = db()
          .prepare(
            `SELECT level, reminder, person, channel, status, created_at AS at, delivered_at AS deliveredAt
           FROM deliveries WHERE incident_id = ? AND kind = 'alert' AND person IS NOT NULL ORDER BY id`,
          )
          .all(inc.id) as {
          level: number;
          reminder: number;
          person: string;
          channel: string;
          status: string;
          at: number;
          deliveredAt: number | null;
        }[];
        const paged = rows.map((r) => ({
          ...r,
          name: reg().getPerson(r.person)?.name ?? r.person,
          role: inc.chain[r.level]?.role ?? null,
          deliveredAfterS: r.deliveredAt === null ? null : s(r.deliveredAt - inc.openedAt),
        }));
        const box = db()
          .prepare(
            `SELECT status, delivered_at AS deliveredAt FROM deliveries WHERE incident_id = ? AND channel = 'device' ORDER BY id`,
          )
          .all(inc.id) as { status: string; deliveredAt: number | null }[];
        return c.json({
          incidentId: inc.id,
          unit: inc.unit,
          household: inc.household,
          householdName: householdName(inc.household),
          startedBy:
            typeof inc.details?.startedBy === 'string'
              ? { id: inc.details.startedBy, name: personName(inc.details.startedBy) }
              : null,
          openedAt: inc.openedAt,
          state: inc.state,
          policy: inc.policy,
          paged,
          box: { acks: box.length, delivered: box.filter((x) => x.status === 'delivered').length },
          acknowledged:
            inc.ackAt === null
              ? null
              : {
                  by: inc.ackBy,
                  name: inc.ackBy ? (reg().getPerson(inc.ackBy)?.name ?? inc.ackBy) : null,
                  afterS: s(inc.ackAt - inc.openedAt),
                },
          escalations: inc.escalations,
          dispatchedAfterS: inc.dispatchedAt === null ? null : s(inc.dispatchedAt - inc.openedAt),
          closedAfterS: inc.closedAt === null ? null : s(inc.closedAt - inc.openedAt),
        });
      },
    );
}
