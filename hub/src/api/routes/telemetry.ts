import { doc } from '../openapi.ts';
import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../context.ts';
import type { ApiCore } from '../deps.ts';
import { notFound } from '../errors.ts';
import { idParam, intParam, timeParam, unitFilter } from '../params.ts';
import { devicesInUnits } from '../queries.ts';
import { unitsFor, visibleDevice } from '../scope.ts';
import { zParam, zQuery } from '../validate.ts';

const dropMsgId = <T extends { msgId: string }>({ msgId: _, ...rest }: T) => rest;

/** Positions, tracks and grazing readings of the caller's devices, from the telemetry store. */
export function telemetryRoutes(core: ApiCore) {
  const { maxRangeMs, maxPoints, defaultMaxPoints } = core.limits;
  const withRange = <T extends { from: number; to?: number | undefined }>(q: T, ctx: z.RefinementCtx) => {
    const to = q.to ?? core.clock.now();
    if (to < q.from)
      ctx.issues.push({ code: 'custom', input: q.to, path: ['to'], message: 'must not be before from' });
    else if (to - q.from > maxRangeMs) {
      ctx.issues.push({
        code: 'custom',
        input: q.from,
        path: ['from'],
        message: `the range may cover at most ${Math.round(maxRangeMs / 86_400_000)} days; query it in parts`,
      });
    }
    return { ...q, to };
  };
  const trackQuery = z
    .object({
      from: timeParam,
      to: timeParam.optional(),
      maxPoints: intParam(1, maxPoints).optional(),
      subject: z.string().min(1).max(64).optional(),
    })
    .transform(withRange);
  const grazingQuery = z.object({ from: timeParam, to: timeParam.optional() }).transform(withRange);

  return new Hono<ApiEnv>()
    .get(
      '/positions/latest',
      doc('telemetry', 'The latest position of every device in your units'),
      zQuery(z.object(unitFilter)),
      async (c) => {
        const scope = unitsFor(core, c, c.get('principal'), c.req.valid('query').unit);
        if (!scope.ok) return scope.response;
        const ids = devicesInUnits(core.db, scope.units).map((d) => d.id);
        const items = ids.length === 0 ? [] : await core.telemetry.latestPositions(ids);
        return c.json({ items: items.map(dropMsgId) }, 200);
      },
    )
    .get(
      '/devices/:id/track',
      doc('telemetry', "A device's track over a time range, downsampled to maxPoints"),
      zParam(idParam),
      zQuery(trackQuery),
      async (c) => {
        const { id } = c.req.valid('param');
        if (!visibleDevice(core, c.get('principal'), id)) return notFound(c, 'device', id);
        const q = c.req.valid('query');
        const points = await core.telemetry.track({
          deviceId: id,
          from: q.from,
          to: q.to,
          maxPoints: q.maxPoints ?? defaultMaxPoints,
          ...(q.subject ? { subject: q.subject } : {}),
        });
        return c.json({ deviceId: id, from: q.from, to: q.to, points: points.map(dropMsgId) }, 200);
      },
    )
    .get(
      '/devices/:id/grazing',
      doc('telemetry', "A collar relay's grazing readings over a time range"),
      zParam(idParam),
      zQuery(grazingQuery),
      async (c) => {
        const { id } = c.req.valid('param');
        if (!visibleDevice(core, c.get('principal'), id)) return notFound(c, 'device', id);
        const q = c.req.valid('query');
        const readings = await core.telemetry.grazing({ deviceId: id, from: q.from, to: q.to });
        return c.json({ deviceId: id, from: q.from, to: q.to, readings: readings.map(dropMsgId) }, 200);
      },
    );
}
