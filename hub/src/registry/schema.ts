import {
  deviceIdSchema,
  isValidDeviceId,
  latSchema,
  lonSchema,
  textsSchema,
  unitIdSchema,
} from '@steppelink/protocols';
import { z } from 'zod';
import { policiesSectionSchema } from '../incidents/policy.ts';

/**
 * The registry document: what `STEPPELINK_REGISTRY=file.json` and `steppelink-hub import` take.
 * Administrative units top down: league 盟/市 → banner 旗 → sumu/town 苏木/镇 → gacha/village
 * 嘎查/村 → grid 网格; households live in grids; devices belong to a household or a patrol team.
 */
export const UNIT_LEVELS = ['league', 'banner', 'sumu', 'gacha', 'grid'] as const;
export const unitLevelSchema = z.enum(UNIT_LEVELS);
export type UnitLevel = z.infer<typeof unitLevelSchema>;

export const ROLES = [
  'grid-worker', // 网格员
  'grid-leader', // 网格长
  'village-secretary', // 嘎查/村书记
  'station-officer', // 苏木/镇警民服务站
  'banner-duty-officer', // 旗指挥平台值班
  'league-duty-officer', // 盟/市指挥平台值班
  'patrol-member', // 护边员 / patrol team member
  'admin', // manages the registry of the units below
] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const DEVICE_KINDS = ['settop', 'tracker', 'collar-relay', 'sensor'] as const;
export const deviceKindSchema = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof deviceKindSchema>;

const name = z.string().min(1).max(120);
const phone = z
  .string()
  .regex(/^\+?[0-9 -]{5,20}$/, { message: 'must be a phone number (digits, optional +)' });
const point = z.object({ lat: latSchema, lon: lonSchema });
const ring = z.array(z.tuple([lonSchema, latSchema])).min(4);
/** A GeoJSON Polygon in WGS-84 ([lon, lat] order, as GeoJSON has it). */
export const polygonSchema = z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) });
export type PolygonGeometry = z.infer<typeof polygonSchema>;

export const unitSchema = z.object({
  id: unitIdSchema,
  level: unitLevelSchema,
  parent: unitIdSchema.nullable().default(null),
  name: textsSchema,
  center: point.optional(),
  boundary: polygonSchema.optional(),
});
export type Unit = z.infer<typeof unitSchema>;

/**
 * Someone who lives in the household. `born` and `medical` are for the rescue handover (what an
 * ambulance or helicopter crew needs to know before they land): the age is worked out from the
 * year of birth when the handover is made, so it does not go stale in the registry.
 */
export const memberSchema = z.object({
  name,
  phone: phone.optional(),
  note: z.string().max(200).optional(),
  born: z
    .number()
    .int({ message: 'must be the year of birth, e.g. 1948' })
    .min(1900, { message: 'must be the year of birth, e.g. 1948' })
    .max(2100, { message: 'must be the year of birth, e.g. 1948' })
    .optional(),
  medical: z
    .string()
    .max(300)
    .optional()
    .describe('conditions, medicines, allergies, mobility: e.g. 高血压，服硝苯地平；行动不便'),
});
export type Member = z.infer<typeof memberSchema>;

export const householdSchema = z.object({
  id: z.string().min(1).max(64),
  grid: unitIdSchema,
  name: name.describe('head of household as neighbours know them'),
  phone: phone.optional(),
  lang: z.enum(['zh', 'mn']).default('zh'),
  location: point,
  pasture: polygonSchema.optional(),
  members: z.array(memberSchema).max(30).default([]),
  notes: z.string().max(1000).optional(),
});
export type Household = z.infer<typeof householdSchema>;

export const teamSchema = z.object({ id: z.string().min(1).max(64), unit: unitIdSchema, name });
export type PatrolTeam = z.infer<typeof teamSchema>;

export const deviceSchema = z
  .object({
    id: deviceIdSchema.refine(isValidDeviceId, { message: 'is a reserved id' }),
    kind: deviceKindSchema,
    household: z.string().min(1).max(64).optional(),
    team: z.string().min(1).max(64).optional(),
    label: z.string().max(120).optional(),
    enabled: z.boolean().default(true),
    /** Plain secret (hashed on import, never stored) or an existing `scrypt$...` hash. */
    secret: z
      .string()
      .min(16, { message: 'must be at least 16 characters (use `device add` to generate one)' })
      .optional(),
  })
  .refine((d) => (d.household === undefined) !== (d.team === undefined), {
    message: 'a device belongs to exactly one household or one patrol team',
    path: ['household'],
  });
export type DeviceInput = z.infer<typeof deviceSchema>;

export const personSchema = z.object({
  id: z.string().min(1).max(64),
  name,
  phone: phone.optional(),
  lang: z.enum(['zh', 'mn', 'en']).default('zh'),
  roles: z.array(z.object({ role: roleSchema, unit: unitIdSchema })).min(1),
  team: z.string().min(1).max(64).optional(),
  login: z
    .object({
      username: z
        .string()
        .min(2)
        .max(64)
        .regex(/^[\w.@-]+$/),
      /** Plain password (hashed on import) or an existing `scrypt$...` hash. */
      password: z.string().min(8, { message: 'must be at least 8 characters' }),
    })
    .optional(),
});
export type PersonInput = z.infer<typeof personSchema>;

/**
 * Duty rosters (排班): who of the people holding a role at a unit is on duty when. Without a
 * rotation for a unit and role, everyone holding that role there is on duty. The incidents
 * module stores and applies them (hub/src/duty/).
 */
const civilDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date like 2025-12-01' });
/** A date (whole local days, inclusive) or an ISO date-time with offset (exact instant). */
const rosterTime = z.union([
  civilDate,
  z.iso.datetime({ offset: true, local: false, message: 'must be a date or a date-time with offset' }),
]);
const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as Asia/Shanghai' },
);
export const rotationSchema = z.object({
  unit: unitIdSchema,
  role: roleSchema,
  /** daily: the next member takes over every day at `handover`; weekly: every seventh day. */
  period: z.enum(['daily', 'weekly']),
  /** Local wall time of the handover, 24 h clock. */
  handover: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be HH:MM (24 h)' }),
  /** The first member's first shift starts on this local date at `handover`. */
  startDate: civilDate,
  /** Person ids in rotation order. */
  members: z.array(z.string().min(1).max(64)).min(1).max(100),
  /** How many members are on duty together (consecutive in the order). */
  perShift: z.number().int().min(1).max(10).default(1),
  timeZone: timeZone.optional(),
});
export type RotationInput = z.infer<typeof rotationSchema>;
const overrideBase = {
  id: z.string().min(1).max(64).optional(),
  unit: unitIdSchema,
  role: roleSchema,
  from: rosterTime,
  to: rosterTime,
  note: z.string().max(500).optional(),
};
export const overrideSchema = z.discriminatedUnion('kind', [
  /** `person` is off duty (leave, sickness, training). */
  z.object({ ...overrideBase, kind: z.literal('leave'), person: z.string().min(1).max(64) }),
  /** `person` is on duty, in place of `replaces` when given. */
  z.object({
    ...overrideBase,
    kind: z.literal('cover'),
    person: z.string().min(1).max(64),
    replaces: z.string().min(1).max(64).optional(),
  }),
  /** `person` and `with` trade places wherever either is on duty. */
  z.object({
    ...overrideBase,
    kind: z.literal('swap'),
    person: z.string().min(1).max(64),
    with: z.string().min(1).max(64),
  }),
]);
export type OverrideInput = z.infer<typeof overrideSchema>;
export const rostersSchema = z.object({
  timeZone: timeZone.default('Asia/Shanghai'),
  rotations: z.array(rotationSchema).max(20_000).default([]),
  overrides: z.array(overrideSchema).max(50_000).default([]),
});
export type RostersInput = z.infer<typeof rostersSchema>;

export const REGISTRY_SECTIONS = [
  'units',
  'households',
  'teams',
  'devices',
  'people',
  'rosters',
  'policies',
] as const;

/**
 * Every section is imported (CLI, API and start-up alike, registry/import.ts); a section the hub
 * does not know is refused, never skipped: a misspelt `roster` would otherwise leave everyone on
 * duty without a word.
 */
export const registryDocumentSchema = z.strictObject(
  {
    units: z.array(unitSchema).default([]),
    households: z.array(householdSchema).default([]),
    teams: z.array(teamSchema).default([]),
    devices: z.array(deviceSchema).default([]),
    people: z.array(personSchema).default([]),
    rosters: rostersSchema.optional(),
    /** Escalation policies per severity, optionally per unit (incidents/policy.ts, README). */
    policies: policiesSectionSchema.optional(),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown section${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}: a registry document has only ${REGISTRY_SECTIONS.join(', ')}`
        : undefined,
  },
);
export type RegistryDocument = z.infer<typeof registryDocumentSchema>;
export type RegistryDocumentInput = z.input<typeof registryDocumentSchema>;
