import { doc } from '../openapi.ts';
import { Hono } from 'hono';
import { z } from 'zod';
import { type ClockSkewFlag, ClockSkewTable } from '../../ingest/clock-skew.ts';
import { deviceKindSchema } from '../../registry/schema.ts';
import type { HealthPoint } from '../../telemetry/port.ts';
import type { ApiEnv } from '../context.ts';
import type { ApiCore } from '../deps.ts';
import { notFound } from '../errors.ts';
import { boolParam, idParam, pageParams, unitFilter } from '../params.ts';
import { householdNames, matchDevices } from '../device-search.ts';
import { devicesInUnits } from '../queries.ts';
import { deviceView, unitsFor, visibleDevice } from '../scope.ts';
import { zParam, zQuery } from '../validate.ts';

const healthView = (h: HealthPoint) => ({
  t: h.t,
  power: h.power,
  battery: h.battery ?? null,
  rssi: h.rssi ?? null,
  outbox: h.outbox,
  uptimeS: h.uptimeS,
  agent: h.agent,
  clockOffsetMs: h.clockOffsetMs ?? null,
});

/** The device's clock ran ahead of the hub (README "Device clocks"); null when its times are plausible. */
const clockSkewView = (f: ClockSkewFlag | undefined) => {
  if (!f) return null;
  const { deviceId: _, ...flag } = f;
  return flag;
};

/**
 * GET /devices?unit=&kind=&online=&limit=&offset= — registry data, presence as the broker saw
 * it (online, last seen), the latest heartbeat and the clock-skew flag, for the devices of the
 * caller's units.
 */
export function deviceRoutes(core: ApiCore) {
  const clocks = new ClockSkewTable(core.db);
  const listQuery = z.object({
    ...unitFilter,
    kind: deviceKindSchema.optional(),
    online: boolParam.optional(),
    /** Part of a device id, label, household id or household name (the devices page's search box). */
    q: z.string().trim().min(1).max(64).optional(),
    ...pageParams(core.limits.maxPageSize, 200),
  });
  return new Hono<ApiEnv>()
    .get(
      '/devices/:id',
      doc('registry', 'One device: presence, last seen, health, clock skew'),
      zParam(idParam),
      async (c) => {
        const { id } = c.req.valid('param');
        const seen = visibleDevice(core, c.get('principal'), id);
        if (!seen) return notFound(c, 'device', id);
        const pr = core.presence.get(id);
        const [h] = await core.telemetry.latestHealth([id]);
        const [pos] = await core.telemetry.latestPositions([id]);
        return c.json(
          {
            ...deviceView(seen.device, seen.unit),
            online: pr?.online ?? false,
            lastSeen: pr?.lastSeen ?? null,
            connectedAt: pr?.connectedAt ?? null,
            disconnectedAt: pr?.disconnectedAt ?? null,
            lastReason: pr?.lastReason ?? null,
            health: h ? healthView(h) : null,
            position: pos ? { t: pos.t, lat: pos.lat, lon: pos.lon } : null,
            clockSkew: clockSkewView(clocks.flagged([id]).get(id)),
            units: core.registry.unitChain(seen.unit).map((u) => u.id),
          },
          200,
        );
      },
    )
    .get(
      '/devices',
      doc('registry', 'Devices in your units: presence, last seen, health'),
      zQuery(listQuery),
      async (c) => {
        const q = c.req.valid('query');
        const scope = unitsFor(core, c, c.get('principal'), q.unit);
        if (!scope.ok) return scope.response;
        let rows = devicesInUnits(core.db, scope.units, q.kind);
        if (q.q) rows = matchDevices(core.db, scope.units, rows, q.q);
        let presence = core.presence.many(rows.map((d) => d.id));
        if (q.online !== undefined)
          rows = rows.filter((d) => (presence.get(d.id)?.online ?? false) === q.online);
        const total = rows.length;
        const page = rows.slice(q.offset, q.offset + q.limit);
        if (q.online === undefined)
          presence = new Map(
            page.flatMap((d) => {
              const r = presence.get(d.id);
              return r ? [[d.id, r] as const] : [];
            }),
          );
        const health = new Map(
          (await core.telemetry.latestHealth(page.map((d) => d.id))).map((h) => [h.deviceId, h]),
        );
        const skew = clocks.flagged(page.map((d) => d.id));
        const names = householdNames(
          core.db,
          page.flatMap((d) => (d.household ? [d.household] : [])),
        );
        const items = page.map((d) => {
          const pr = presence.get(d.id);
          const h = health.get(d.id);
          return {
            ...deviceView(d, d.unit),
            householdName: (d.household && names.get(d.household)) || null,
            online: pr?.online ?? false,
            lastSeen: pr?.lastSeen ?? null,
            connectedAt: pr?.connectedAt ?? null,
            disconnectedAt: pr?.disconnectedAt ?? null,
            health: h ? healthView(h) : null,
            clockSkew: clockSkewView(skew.get(d.id)),
          };
        });
        return c.json({ items, total, limit: q.limit, offset: q.offset }, 200);
      },
    );
}
