import { latSchema, lonSchema, unitIdSchema } from '@steppelink/protocols';
import { z } from 'zod';
import type { Registry } from '../registry/registry.ts';
import { type ConfigIssue, toIssues } from './config.ts';
import { periodSchema } from './schedule.ts';

/**
 * Zones are data: GeoJSON Features (WGS-84, [lon, lat]) whose `properties.kind` says what rule
 * they feed. Imported and edited through the API, stored in the rules tables.
 * - `border`: the state border (LineString); the other country lies on `farSide`. Feeds the
 *   border buffer and crossing rules and patrol coverage (split into segments, assigned to the
 *   units of `sections` by km from the line's start).
 * - `ban`: a grazing ban (禁牧) or rest-grazing (休牧) area (Polygon/MultiPolygon) with periods.
 * - `fence`: a virtual fence — an extra area a household's herd may graze (rented pasture, winter
 *   camp), allowed in addition to its contracted pasture from the registry.
 * - `base`: a patrol base or station; a tracker resting there is not a possible man-down.
 * - `water`: a water point (水井, spring, trough; a Point) and `road`: a road or track a vehicle can
 *   take (LineString). No rule reads them: the nearest of each goes in an incident's rescue
 *   handover (incidents/handover/), for the ambulance or helicopter crew.
 */
const position = z.tuple([lonSchema, latSchema]).rest(z.number());
const ring = z
  .array(position)
  .min(4, { message: 'a polygon ring needs at least 4 positions' })
  .refine((r) => r[0]![0] === r.at(-1)![0] && r[0]![1] === r.at(-1)![1], {
    message: 'a polygon ring must end where it starts (first and last positions equal)',
  });
const polygon = z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) });
const multiPolygon = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(z.array(ring).min(1)).min(1),
});
const lineGeometry = z.object({
  type: z.literal('LineString'),
  coordinates: z.array(position).min(2, { message: 'a line needs at least 2 positions' }),
});
const pointGeometry = z.object({ type: z.literal('Point'), coordinates: position });
export type AreaGeometry = z.infer<typeof polygon> | z.infer<typeof multiPolygon>;
export type LineGeometry = z.infer<typeof lineGeometry>;
export type PointGeometry = z.infer<typeof pointGeometry>;

const text = z.string().min(1).max(200);
const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'use 1–64 lowercase letters, digits and -' }),
  unitId: unitIdSchema.describe('the unit that owns the zone and may edit it'),
  name: z.object({ zh: text, mn: text.optional(), en: text.optional() }),
  note: z.string().max(1000).optional(),
};
const section = z
  .object({ unitId: unitIdSchema, fromKm: z.number().min(0), toKm: z.number().positive() })
  .refine((s) => s.fromKm < s.toKm, { message: '`toKm` must be greater than `fromKm`', path: ['toKm'] });

export const zonePropertiesSchema = z.discriminatedUnion('kind', [
  z.object({
    ...common,
    kind: z.literal('border'),
    farSide: z.enum(['north', 'south', 'east', 'west']).default('north'),
    sections: z.array(section).max(1000).default([]),
    patrol: z.boolean().default(true).describe('track patrol coverage of this line'),
  }),
  z.object({
    ...common,
    kind: z.literal('ban'),
    ban: z.enum(['ban', 'rest']).default('rest').describe('ban = 禁牧 closed area, rest = 休牧 rest-grazing'),
    periods: z.array(periodSchema).min(1).max(50),
  }),
  z.object({ ...common, kind: z.literal('fence'), householdId: z.string().min(1).max(64) }),
  z.object({ ...common, kind: z.literal('base'), teamId: z.string().min(1).max(64).optional() }),
  z.object({ ...common, kind: z.literal('water') }),
  z.object({
    ...common,
    kind: z.literal('road'),
    surface: z.enum(['paved', 'gravel', 'track']).optional().describe('track: a dirt track across the grass'),
  }),
]);
export type ZoneProperties = z.infer<typeof zonePropertiesSchema>;
export type ZoneKind = ZoneProperties['kind'];

const GEOMETRY_OF: Record<ZoneKind, readonly string[]> = {
  border: ['LineString'],
  ban: ['Polygon', 'MultiPolygon'],
  fence: ['Polygon', 'MultiPolygon'],
  base: ['Polygon', 'MultiPolygon'],
  water: ['Point'],
  road: ['LineString'],
};

export const zoneFeatureSchema = z
  .object({
    type: z.literal('Feature'),
    id: z.union([z.string(), z.number()]).optional(),
    properties: zonePropertiesSchema,
    geometry: z.discriminatedUnion('type', [lineGeometry, polygon, multiPolygon, pointGeometry]),
  })
  .superRefine((f, ctx) => {
    const allowed = GEOMETRY_OF[f.properties.kind];
    if (!allowed.includes(f.geometry.type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['geometry', 'type'],
        message: `a ${f.properties.kind} zone needs a ${allowed.join(' or ')} geometry, not ${f.geometry.type}`,
      });
    }
    if (f.properties.kind === 'border') {
      const s = [...f.properties.sections].sort((a, b) => a.fromKm - b.fromKm);
      for (let i = 1; i < s.length; i++) {
        if (s[i]!.fromKm < s[i - 1]!.toKm) {
          ctx.addIssue({
            code: 'custom',
            path: ['properties', 'sections'],
            message: 'sections must not overlap',
          });
        }
      }
    }
  });

export type Zone = z.infer<typeof zoneFeatureSchema>;
export type BorderZone = Zone & {
  properties: Extract<ZoneProperties, { kind: 'border' }>;
  geometry: LineGeometry;
};
export type BanZone = Zone & { properties: Extract<ZoneProperties, { kind: 'ban' }>; geometry: AreaGeometry };
export type FenceZone = Zone & {
  properties: Extract<ZoneProperties, { kind: 'fence' }>;
  geometry: AreaGeometry;
};
export type BaseZone = Zone & {
  properties: Extract<ZoneProperties, { kind: 'base' }>;
  geometry: AreaGeometry;
};

export const zoneCollectionSchema = z
  .object({ type: z.literal('FeatureCollection'), features: z.array(zoneFeatureSchema).max(20_000) })
  .superRefine((fc, ctx) => {
    const seen = new Set<string>();
    fc.features.forEach((f, i) => {
      if (seen.has(f.properties.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['features', i, 'properties', 'id'],
          message: `zone id ${f.properties.id} appears twice`,
        });
      }
      seen.add(f.properties.id);
    });
  });

export type ParsedZones = { ok: true; zones: Zone[] } | { ok: false; issues: ConfigIssue[] };

/** Units, households and teams the zones name must exist in the registry. */
export function checkZoneRefs(zones: readonly Zone[], registry: Registry, prefix = ''): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  zones.forEach((z, i) => {
    const at = (p: string) => [prefix, String(i), 'properties', p].filter(Boolean).join('.');
    const p = z.properties;
    if (!registry.getUnit(p.unitId))
      issues.push({ path: at('unitId'), message: `unit ${p.unitId} is not in the registry` });
    if (p.kind === 'border') {
      p.sections.forEach((s, j) => {
        if (!registry.getUnit(s.unitId)) {
          issues.push({
            path: at(`sections.${j}.unitId`),
            message: `unit ${s.unitId} is not in the registry`,
          });
        }
      });
    }
    if (p.kind === 'fence' && !registry.getHousehold(p.householdId)) {
      issues.push({ path: at('householdId'), message: `household ${p.householdId} is not in the registry` });
    }
    if (p.kind === 'base' && p.teamId && !registry.getTeam(p.teamId)) {
      issues.push({ path: at('teamId'), message: `patrol team ${p.teamId} is not in the registry` });
    }
  });
  return issues;
}

/** Validates a FeatureCollection (or one Feature, or an array of them) of zones: schema first, then registry references. */
export function parseZones(input: unknown, registry?: Registry): ParsedZones {
  const asCollection = Array.isArray(input)
    ? { type: 'FeatureCollection', features: input }
    : input && typeof input === 'object' && (input as { type?: unknown }).type === 'Feature'
      ? { type: 'FeatureCollection', features: [input] }
      : input;
  const parsed = zoneCollectionSchema.safeParse(asCollection);
  if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
  const zones = parsed.data.features;
  const issues = registry ? checkZoneRefs(zones, registry, 'features') : [];
  return issues.length > 0 ? { ok: false, issues } : { ok: true, zones };
}

export const isBorder = (z: Zone): z is BorderZone => z.properties.kind === 'border';
export const isBan = (z: Zone): z is BanZone => z.properties.kind === 'ban';
export const isFence = (z: Zone): z is FenceZone => z.properties.kind === 'fence';
export const isBase = (z: Zone): z is BaseZone => z.properties.kind === 'base';
export type PlaceZone = Zone & {
  properties: Extract<ZoneProperties, { kind: 'water' | 'road' }>;
  geometry: PointGeometry | LineGeometry;
};
/** Water points and roads: what the rescue handover names the nearest of. */
export const isPlace = (z: Zone): z is PlaceZone =>
  z.properties.kind === 'water' || z.properties.kind === 'road';
