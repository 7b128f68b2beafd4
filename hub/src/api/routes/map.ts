import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../context.ts';
import type { ApiCore } from '../deps.ts';
import { areaIndex, areasIn } from '../map/areas.ts';
import { ScopeCache } from '../map/cache.ts';
import {
  type BBox,
  type DeviceItem,
  deviceIndex,
  householdIndex,
  type HouseholdItem,
  pointsIn,
} from '../map/points.ts';
import { doc } from '../openapi.ts';
import { intParam, unitFilter } from '../params.ts';
import { devicesInUnits } from '../queries.ts';
import { unitsFor } from '../scope.ts';
import { zQuery } from '../validate.ts';

/** `w,s,e,n` in degrees; a box wider than the world is cut to it. */
const bboxParam = z.string().transform((s, ctx): BBox => {
  const n = s.split(',').map(Number);
  const [w, so, e, no] = n;
  if (n.length !== 4 || n.some((x) => !Number.isFinite(x)) || w! > e! || so! > no!) {
    ctx.issues.push({
      code: 'custom',
      input: s,
      message: 'must be west,south,east,north in degrees, west ≤ east, south ≤ north',
    });
    return z.NEVER;
  }
  return [Math.max(-180, w!), Math.max(-90, so!), Math.min(180, e!), Math.min(90, no!)];
});
const viewQuery = z.object({ ...unitFilter, bbox: bboxParam, zoom: intParam(0, 22) });

/** How long a scope's index is reused: registry edits show within a minute, presence and fixes within seconds. */
const AREAS_TTL_MS = 60_000;
const HOUSEHOLDS_TTL_MS = 60_000;
const DEVICES_TTL_MS = 5_000;

/**
 * The map by viewport (issue 23): GET /map/extent (where the caller's households and devices
 * are), /map/households and /map/devices?bbox=&zoom= (clustered where they crowd),
 * /map/areas?bbox=&zoom= (administrative boundaries, names and pastures that fit the zoom).
 * Each answers for the caller's units only, from indexes built once per scope.
 */
export function mapRoutes(core: ApiCore) {
  const areas = new ScopeCache<ReturnType<typeof areaIndex>>(core.clock, AREAS_TTL_MS);
  const households = new ScopeCache<ReturnType<typeof householdIndex>>(core.clock, HOUSEHOLDS_TTL_MS);
  const devices = new ScopeCache<Promise<ReturnType<typeof deviceIndex>>>(core.clock, DEVICES_TTL_MS);

  const deviceIndexFor = (units: readonly string[]) =>
    devices.get(units, async () => {
      const rows = devicesInUnits(core.db, units);
      const homes = core.db
        .prepare('SELECT id, name, lat, lon FROM households WHERE grid IN (SELECT value FROM json_each(?))')
        .all(JSON.stringify(units)) as { id: string; name: string; lat: number; lon: number }[];
      const home = new Map(homes.map((h) => [h.id, h]));
      const fixes = new Map(
        (rows.length ? await core.telemetry.latestPositions(rows.map((d) => d.id)) : []).map((p) => [
          p.deviceId,
          p,
        ]),
      );
      const presence = core.presence.many(rows.map((d) => d.id));
      return deviceIndex(
        rows.map((d) => {
          const h = d.household ? home.get(d.household) : undefined;
          return {
            id: d.id,
            kind: d.kind,
            household: d.household ?? null,
            label: d.label ?? null,
            homeName: h?.name ?? null,
            homeLat: h?.lat ?? null,
            homeLon: h?.lon ?? null,
          };
        }),
        fixes,
        (id) => presence.get(id)?.online ?? false,
      );
    });

  return new Hono<ApiEnv>()
    .get(
      '/map/extent',
      doc('registry', 'Where your households and devices are: the box around them, and how many'),
      zQuery(z.object(unitFilter)),
      async (c) => {
        const scope = unitsFor(core, c, c.get('principal'), c.req.valid('query').unit);
        if (!scope.ok) return scope.response;
        const h = households.get(scope.units, () => householdIndex(core.db, scope.units));
        const d = await deviceIndexFor(scope.units);
        const boxes = [h.extent, d.extent].filter((b): b is BBox => b !== null);
        const bbox: BBox | null = boxes.length
          ? [
              Math.min(...boxes.map((b) => b[0])),
              Math.min(...boxes.map((b) => b[1])),
              Math.max(...boxes.map((b) => b[2])),
              Math.max(...boxes.map((b) => b[3])),
            ]
          : null;
        return c.json({ bbox, households: h.total, devices: d.total }, 200);
      },
    )
    .get(
      '/map/households',
      doc('registry', 'Households in a map view: clustered where they crowd, one by one where there is room'),
      zQuery(viewQuery),
      (c) => {
        const q = c.req.valid('query');
        const scope = unitsFor(core, c, c.get('principal'), q.unit);
        if (!scope.ok) return scope.response;
        const index = households.get(scope.units, () => householdIndex(core.db, scope.units));
        const items = pointsIn(index, q.bbox, q.zoom).map((p) =>
          'type' in p ? p : ({ type: 'household', ...p } as HouseholdItem),
        );
        return c.json({ zoom: q.zoom, total: index.total, items }, 200);
      },
    )
    .get(
      '/map/devices',
      doc(
        'telemetry',
        'Devices in a map view at their latest fix or household, clustered with their online count',
      ),
      zQuery(viewQuery),
      async (c) => {
        const q = c.req.valid('query');
        const scope = unitsFor(core, c, c.get('principal'), q.unit);
        if (!scope.ok) return scope.response;
        const index = await deviceIndexFor(scope.units);
        const items = pointsIn(index, q.bbox, q.zoom).map((p) =>
          'type' in p ? p : ({ type: 'device', ...p } as DeviceItem),
        );
        return c.json({ zoom: q.zoom, total: index.total, items }, 200);
      },
    )
    .get(
      '/map/areas',
      doc('registry', 'Administrative boundaries, place names and pastures that fit a map view and zoom'),
      zQuery(viewQuery),
      (c) => {
        const q = c.req.valid('query');
        const scope = unitsFor(core, c, c.get('principal'), q.unit);
        if (!scope.ok) return scope.response;
        const index = areas.get(scope.units, () => areaIndex(core.db, scope.units));
        return c.json({ zoom: q.zoom, ...areasIn(index, q.bbox, q.zoom) }, 200);
      },
    );
}
