import { doc } from '../api/openapi.ts';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { type ApiEnv, canActAs, canSee, type Principal } from '../api/context.ts';
import { apiError, summarizeIssues } from '../api/errors.ts';
import { type QueryInput, readJson } from '../api/validate.ts';
import type { Clock } from '../clock.ts';
import type { Registry } from '../registry/registry.ts';
import type { Role } from '../registry/schema.ts';
import { type ConfigIssue, parseRulesConfig, rulesConfigSchema } from './config.ts';
import { RULES_DEFAULTS } from './defaults.ts';
import type { RulesEngine } from './engine.ts';
import type { Effect } from './env.ts';
import { parseZones, type Zone, zoneCollectionSchema, zoneFeatureSchema } from './zones.ts';

const importQueryDoc = z.object({ mode: z.enum(['upsert', 'replace']).optional() });

/** Who may draw and edit zones of a unit (its own or below). */
export const ZONE_EDITORS: readonly Role[] = [
  'admin',
  'league-duty-officer',
  'banner-duty-officer',
  'station-officer',
];

export interface RulesRouteDeps {
  engine: () => RulesEngine;
  registry: () => Registry;
  clock: () => Clock;
  run: (effects: Effect[]) => Promise<void>;
}

type C = Context<ApiEnv>;
/** The API's one error shape (api/errors.ts), each config issue's dotted path as a path array. */
const invalid = (c: C, code: string, issues: ConfigIssue[]) =>
  apiError(
    c,
    400,
    code,
    `the document does not validate: ${summarizeIssues(issues.map(asIssue))}`,
    issues.map(asIssue),
  );
const asIssue = (i: ConfigIssue) => ({
  path: i.path.split('.').filter((p) => p !== ''),
  code: 'invalid',
  message: i.message,
});
const forbidden = (c: C, message: string) => apiError(c, 403, 'forbidden', message);
const body = (c: C) => readJson(c, z.unknown());

/** Units a zone concerns: its own, and for a border line the units of its sections. */
const zoneUnits = (z: Zone): string[] =>
  z.properties.kind === 'border'
    ? [z.properties.unitId, ...z.properties.sections.map((s) => s.unitId)]
    : [z.properties.unitId];

/** Admin of a unit at the top of the tree (the config is global). */
function isRootAdmin(registry: Registry, p: Principal): boolean {
  return p.roles.some((r) => r.role === 'admin' && registry.getUnit(r.unit)?.parent === null);
}

/** /api/rules/*: zones (GeoJSON), rules config, patrol coverage per segment, open conditions. */
export function rulesRoutes(deps: RulesRouteDeps) {
  const { engine, registry } = deps;
  // Zones are not secret within the hierarchy: visible to those above their units and to those below them.
  const visible = (p: Principal, z: Zone) =>
    zoneUnits(z).some((u) => canSee(registry(), p, u) || p.roles.some((r) => registry().isWithin(r.unit, u)));
  const editable = (p: Principal, z: Zone) => canActAs(registry(), p, z.properties.unitId, ZONE_EDITORS);

  return new Hono<ApiEnv>()
    .get(
      '/rules/zones',
      doc('rules', 'Zones you can see, as a GeoJSON FeatureCollection (kind=border|ban|fence|base|water|road)'),
      (c) => {
        const kind = c.req.query('kind');
        const p = c.get('principal');
        const features = engine()
          .zones()
          .filter((z) => (!kind || z.properties.kind === kind) && visible(p, z));
        return c.json({ type: 'FeatureCollection', features });
      },
    )
    .get('/rules/zones/:id', doc('rules', 'One zone as a GeoJSON Feature'), (c) => {
      const z = engine()
        .zones()
        .find((x) => x.properties.id === c.req.param('id'));
      if (!z || !visible(c.get('principal'), z)) return apiError(c, 404, 'not_found', 'no such zone');
      return c.json(z);
    })
    .put(
      '/rules/zones/:id',
      doc('rules', 'Create or replace one zone (a GeoJSON Feature)', { body: zoneFeatureSchema }),
      async (c) => {
        const b = await body(c);
        if (!b.ok) return b.res;
        const parsed = parseZones(b.data, registry());
        if (!parsed.ok) {
          const issues = parsed.issues.map((i) => ({ ...i, path: i.path.replace(/^features\.0\.?/, '') }));
          return invalid(c, 'invalid_zone', issues);
        }
        const zone = parsed.zones[0];
        if (!zone || parsed.zones.length !== 1 || zone.properties.id !== c.req.param('id')) {
          return apiError(
            c,
            400,
            'invalid_body',
            'send one Feature whose properties.id equals the id in the path',
          );
        }
        const p = c.get('principal');
        const existing = engine()
          .zones()
          .find((x) => x.properties.id === zone.properties.id);
        if (!editable(p, zone) || (existing && !editable(p, existing))) {
          return forbidden(
            c,
            `editing zones of unit ${zone.properties.unitId} needs one of: ${ZONE_EDITORS.join(', ')}`,
          );
        }
        await deps.run(engine().saveZones([zone], 'upsert', p.personId));
        return c.json(zone, existing ? 200 : 201);
      },
    )
    .delete('/rules/zones/:id', doc('rules', 'Delete one zone', { status: 204 }), async (c) => {
      const p = c.get('principal');
      const z = engine()
        .zones()
        .find((x) => x.properties.id === c.req.param('id'));
      if (!z || !visible(p, z)) return apiError(c, 404, 'not_found', 'no such zone');
      if (!editable(p, z))
        return forbidden(
          c,
          `deleting zones of unit ${z.properties.unitId} needs one of: ${ZONE_EDITORS.join(', ')}`,
        );
      const { effects } = engine().deleteZone(z.properties.id);
      await deps.run(effects);
      return c.body(null, 204);
    })
    .post(
      '/rules/zones/import',
      doc('rules', 'Import zones (a GeoJSON FeatureCollection); mode=replace replaces them all', {
        body: zoneCollectionSchema,
        query: importQueryDoc,
      }),
      async (c) => {
        const mode = c.req.query('mode') ?? 'upsert';
        if (mode !== 'upsert' && mode !== 'replace') {
          return apiError(c, 400, 'invalid_query', 'mode must be upsert (default) or replace');
        }
        const b = await body(c);
        if (!b.ok) return b.res;
        const parsed = parseZones(b.data, registry());
        if (!parsed.ok) return invalid(c, 'invalid_zones', parsed.issues);
        const p = c.get('principal');
        if (mode === 'replace' && !isRootAdmin(registry(), p)) {
          return forbidden(
            c,
            'replacing all zones needs the admin role at the top unit; import with mode=upsert instead',
          );
        }
        const denied = parsed.zones.filter((z) => !editable(p, z)).map((z) => z.properties.id);
        if (denied.length > 0) return forbidden(c, `not allowed to edit zones: ${denied.join(', ')}`);
        await deps.run(engine().saveZones(parsed.zones, mode, p.personId));
        return c.json({ imported: parsed.zones.length, mode });
      },
    )
    .get('/rules/config', doc('rules', 'The rules configuration: defaults, saved, effective'), (c) =>
      c.json({ defaults: RULES_DEFAULTS, saved: engine().savedConfig(), effective: engine().settings }),
    )
    .put(
      '/rules/config',
      doc('rules', 'Save the league-wide rules configuration (top admins)', { body: rulesConfigSchema }),
      async (c) => {
        if (!isRootAdmin(registry(), c.get('principal'))) {
          return forbidden(c, 'the rules config is league-wide: it needs the admin role at the top unit');
        }
        const b = await body(c);
        if (!b.ok) return b.res;
        const parsed = parseRulesConfig(b.data);
        if (!parsed.ok) return invalid(c, 'invalid_config', parsed.issues);
        engine().saveConfig(parsed.config, c.get('principal').personId);
        return c.json({ saved: parsed.config, effective: engine().settings });
      },
    )
    .get(
      '/rules/coverage',
      doc('rules', 'Patrol coverage per border segment: last patrolled, overdue (format=geojson for a map)', {
        query: z.object({
          unit: z.string().optional(),
          zone: z.string().optional(),
          format: z.enum(['geojson']).optional(),
        }),
      }),
      (
        c: Context<
          ApiEnv,
          '/rules/coverage',
          QueryInput<{ unit?: string; zone?: string; format?: 'geojson' }>
        >,
      ) => {
        const p = c.get('principal');
        const unit = c.req.query('unit');
        const now = deps.clock().now();
        const rows = engine()
          .coverage.segments(c.req.query('zone'))
          .filter(
            (s) =>
              canSee(registry(), p, s.segment.unitId) &&
              (!unit || registry().isWithin(s.segment.unitId, unit)),
          )
          .map(({ segment: s, lastPatrolledAt, deviceId, since }) => {
            const policyMs = engine().patrolGapMaxMs(s.unitId);
            return {
              id: s.id,
              zoneId: s.zoneId,
              index: s.index,
              fromKm: Math.round(s.fromKm * 1000) / 1000,
              toKm: Math.round(s.toKm * 1000) / 1000,
              unitId: s.unitId,
              lastPatrolledAt,
              deviceId,
              policyMs,
              overdue: now - (lastPatrolledAt ?? since) > policyMs,
              geometry: s.line.geometry,
            };
          });
        if (c.req.query('format') === 'geojson') {
          return c.json({
            type: 'FeatureCollection',
            features: rows.map(({ geometry, ...properties }) => ({
              type: 'Feature',
              id: properties.id,
              properties,
              geometry,
            })),
          });
        }
        const segments = rows.map(({ geometry: _g, ...r }) => r);
        return c.json({
          at: now,
          total: segments.length,
          overdue: segments.filter((s) => s.overdue).length,
          segments,
        });
      },
    )
    .get('/rules/conditions', doc('rules', 'Rule conditions active now in your units'), (c) => {
      const p = c.get('principal');
      const conditions = engine()
        .conditions.active()
        .filter((x) => x.unitId && canSee(registry(), p, x.unitId))
        .map(({ key, category, unitId, active, raised, activeSince }) => ({
          key,
          category,
          unitId,
          active,
          raised,
          activeSince,
        }));
      return c.json({ conditions });
    })
    .post('/rules/reload', doc('rules', 'Reload pastures and zones from the registry (admins)'), (c) => {
      if (!c.get('principal').roles.some((r) => r.role === 'admin'))
        return forbidden(c, 'reloading needs the admin role');
      engine().reload();
      return c.json({ pastures: engine().subjects.pastures.size, zones: engine().zones().length });
    });
}
