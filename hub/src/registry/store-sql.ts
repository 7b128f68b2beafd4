import type { CompiledQuery, Kysely } from 'kysely';
import { rosterStatements } from '../duty/roster-rows.ts';
import { policyStatements } from '../incidents/policy-rows.ts';
import { type Dialect, fromExcluded, perDialect, prepared, sqlBuilder } from '../state/sql.ts';
import type { DeviceKind, Role, UnitLevel } from './schema.ts';
import type {
  DeviceRecord,
  HouseholdRecord,
  PersonRecord,
  RegistryWrite,
  TeamRecord,
  UnitRecord,
} from './store-port.ts';

/**
 * The registry store's tables and queries, written once with Kysely and compiled for either
 * dialect (state/sql.ts), and the one mapper per table between records and rows.
 */
type Nullable<T> = T | null;

export interface UnitRow {
  id: string;
  level: string;
  parent: Nullable<string>;
  name_zh: string;
  name_mn: string;
  name_en: string;
  center_lat: Nullable<number>;
  center_lon: Nullable<number>;
  boundary: Nullable<string>;
}
export interface HouseholdRow {
  id: string;
  grid: string;
  name: string;
  phone: Nullable<string>;
  lang: string;
  lat: number;
  lon: number;
  pasture: Nullable<string>;
  members: string;
  notes: Nullable<string>;
}
export interface TeamRow {
  id: string;
  unit: string;
  name: string;
}
export interface DeviceRow {
  id: string;
  kind: string;
  household: Nullable<string>;
  team: Nullable<string>;
  label: Nullable<string>;
  /** 0 or 1 (SQLite has no boolean; PostgreSQL's column is an integer too) */
  enabled: number;
  secret_hash: Nullable<string>;
}
export interface PersonRow {
  id: string;
  name: string;
  phone: Nullable<string>;
  lang: string;
  team: Nullable<string>;
  username: Nullable<string>;
  password_hash: Nullable<string>;
}
export interface RoleRow {
  person: string;
  role: string;
  unit: string;
}

type Stamped<T> = T & { updated_at: number };
export interface RegistryDb {
  units: Stamped<UnitRow>;
  households: Stamped<HouseholdRow>;
  teams: Stamped<TeamRow>;
  devices: Stamped<DeviceRow>;
  people: Stamped<PersonRow>;
  person_roles: RoleRow;
}

// ---- one mapper per table, both ways ----

export const unitRow = (u: UnitRecord): UnitRow => ({
  id: u.id,
  level: u.level,
  parent: u.parent,
  name_zh: u.name.zh,
  name_mn: u.name.mn,
  name_en: u.name.en,
  center_lat: u.center?.lat ?? null,
  center_lon: u.center?.lon ?? null,
  boundary: u.boundary ? JSON.stringify(u.boundary) : null,
});
export function toUnit(r: Record<string, unknown>): UnitRecord {
  const u: UnitRecord = {
    id: r.id as string,
    level: r.level as UnitLevel,
    parent: (r.parent as string | null) ?? null,
    name: { zh: r.name_zh as string, mn: r.name_mn as string, en: r.name_en as string },
  };
  if (r.center_lat !== null && r.center_lat !== undefined)
    u.center = { lat: Number(r.center_lat), lon: Number(r.center_lon) };
  if (r.boundary) u.boundary = JSON.parse(r.boundary as string);
  return u;
}

export const householdRow = (h: HouseholdRecord): HouseholdRow => ({
  id: h.id,
  grid: h.grid,
  name: h.name,
  phone: h.phone ?? null,
  lang: h.lang,
  lat: h.location.lat,
  lon: h.location.lon,
  pasture: h.pasture ? JSON.stringify(h.pasture) : null,
  members: JSON.stringify(h.members),
  notes: h.notes ?? null,
});
export function toHousehold(r: Record<string, unknown>): HouseholdRecord {
  const h: HouseholdRecord = {
    id: r.id as string,
    grid: r.grid as string,
    name: r.name as string,
    lang: r.lang as 'zh' | 'mn',
    location: { lat: Number(r.lat), lon: Number(r.lon) },
    members: JSON.parse(r.members as string),
  };
  if (r.phone) h.phone = r.phone as string;
  if (r.pasture) h.pasture = JSON.parse(r.pasture as string);
  if (r.notes) h.notes = r.notes as string;
  return h;
}

export const teamRow = (t: TeamRecord): TeamRow => ({ id: t.id, unit: t.unit, name: t.name });
export const toTeam = (r: Record<string, unknown>): TeamRecord => ({
  id: r.id as string,
  unit: r.unit as string,
  name: r.name as string,
});

export const deviceRow = (d: DeviceRecord): DeviceRow => ({
  id: d.id,
  kind: d.kind,
  household: d.household,
  team: d.team,
  label: d.label,
  enabled: d.enabled ? 1 : 0,
  secret_hash: d.secretHash,
});
export const toDevice = (r: Record<string, unknown>): DeviceRecord => ({
  id: r.id as string,
  kind: r.kind as DeviceKind,
  household: (r.household as string | null) ?? null,
  team: (r.team as string | null) ?? null,
  label: (r.label as string | null) ?? null,
  enabled: Number(r.enabled) === 1,
  secretHash: (r.secret_hash as string | null) ?? null,
});

export const personRow = (p: PersonRecord): PersonRow => ({
  id: p.id,
  name: p.name,
  phone: p.phone,
  lang: p.lang,
  team: p.team,
  username: p.username,
  password_hash: p.passwordHash,
});
/** A person row with its roles (rows of person_roles, any order). */
export const toPerson = (
  r: Record<string, unknown>,
  roles: readonly Record<string, unknown>[],
): PersonRecord => ({
  id: r.id as string,
  name: r.name as string,
  phone: (r.phone as string | null) ?? null,
  lang: r.lang as PersonRecord['lang'],
  team: (r.team as string | null) ?? null,
  username: (r.username as string | null) ?? null,
  passwordHash: (r.password_hash as string | null) ?? null,
  roles: byUnitRole(roles.map((x) => ({ role: x.role as Role, unit: x.unit as string }))),
});

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** A person's roles as stored: once each, ordered by unit, then role (code-point order in every dialect). */
export function byUnitRole(roles: readonly { role: Role; unit: string }[]): { role: Role; unit: string }[] {
  const seen = new Set<string>();
  return roles
    .filter((r) => {
      const k = `${r.unit}\u0000${r.role}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => cmp(a.unit, b.unit) || cmp(a.role, b.role));
}

const UNIT_COLUMNS = [
  'level',
  'parent',
  'name_zh',
  'name_mn',
  'name_en',
  'center_lat',
  'center_lon',
  'boundary',
];
const HOUSEHOLD_COLUMNS = ['grid', 'name', 'phone', 'lang', 'lat', 'lon', 'pasture', 'members', 'notes'];
const keys = <T extends object>(sample: T) => Object.keys(sample) as (keyof T & string)[];
const ALL = {
  units: keys(unitRow({ id: '', level: 'league', parent: null, name: { zh: '', mn: '', en: '' } })),
  households: keys(
    householdRow({ id: '', grid: '', name: '', lang: 'zh', location: { lat: 0, lon: 0 }, members: [] }),
  ),
  teams: keys(teamRow({ id: '', unit: '', name: '' })),
  devices: keys(
    deviceRow({
      id: '',
      kind: 'settop',
      household: null,
      team: null,
      label: null,
      enabled: true,
      secretHash: null,
    }),
  ),
  people: keys(
    personRow({
      id: '',
      name: '',
      phone: null,
      lang: 'zh',
      team: null,
      username: null,
      passwordHash: null,
      roles: [],
    }),
  ),
};

/** The registry's queries for one dialect, each compiled once. */
export function registryQueries(qb: Kysely<RegistryDb>) {
  const stamped = <C extends string>(cols: readonly C[]) => [...cols, 'updated_at' as const];
  return {
    allUnits: prepared([], () => qb.selectFrom('units').selectAll().orderBy('id')),
    allHouseholds: prepared([], () => qb.selectFrom('households').selectAll().orderBy('id')),
    allTeams: prepared([], () => qb.selectFrom('teams').selectAll().orderBy('id')),
    allDevices: prepared([], () => qb.selectFrom('devices').selectAll().orderBy('id')),
    allPeople: prepared([], () => qb.selectFrom('people').selectAll().orderBy('id')),
    allRoles: prepared([], () =>
      qb.selectFrom('person_roles').selectAll().orderBy('person').orderBy('unit').orderBy('role'),
    ),
    /** Arguments: the unit's row and `updated_at`. */
    unit: prepared(stamped(ALL.units), (p) =>
      qb
        .insertInto('units')
        .values(p)
        .onConflict((oc) => oc.column('id').doUpdateSet(fromExcluded([...UNIT_COLUMNS, 'updated_at']))),
    ),
    household: prepared(stamped(ALL.households), (p) =>
      qb
        .insertInto('households')
        .values(p)
        .onConflict((oc) => oc.column('id').doUpdateSet(fromExcluded([...HOUSEHOLD_COLUMNS, 'updated_at']))),
    ),
    team: prepared(stamped(ALL.teams), (p) =>
      qb
        .insertInto('teams')
        .values(p)
        .onConflict((oc) => oc.column('id').doUpdateSet(fromExcluded(['unit', 'name', 'updated_at']))),
    ),
    /** A device given without a secret keeps its stored one. */
    device: prepared(stamped(ALL.devices), (p) =>
      qb
        .insertInto('devices')
        .values(p)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            ...fromExcluded(['kind', 'household', 'team', 'label', 'enabled', 'updated_at'])(eb),
            secret_hash: eb.fn.coalesce('excluded.secret_hash', 'devices.secret_hash'),
          })),
        ),
    ),
    /** A person given without a login keeps their stored username and password. */
    person: prepared(stamped(ALL.people), (p) =>
      qb
        .insertInto('people')
        .values(p)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            ...fromExcluded(['name', 'phone', 'lang', 'team', 'updated_at'])(eb),
            username: eb.fn.coalesce('excluded.username', 'people.username'),
            password_hash: eb.fn.coalesce('excluded.password_hash', 'people.password_hash'),
          })),
        ),
    ),
    clearRoles: prepared(['person'], (p) => qb.deleteFrom('person_roles').where('person', '=', p.person)),
    role: prepared(['person', 'role', 'unit'], (p) =>
      qb
        .insertInto('person_roles')
        .values(p)
        .onConflict((oc) => oc.doNothing()),
    ),
    setSecret: prepared(['id', 'hash', 'now'], (p) =>
      qb.updateTable('devices').set({ secret_hash: p.hash, updated_at: p.now }).where('id', '=', p.id),
    ),
    setEnabled: prepared(['id', 'enabled', 'now'], (p) =>
      qb.updateTable('devices').set({ enabled: p.enabled, updated_at: p.now }).where('id', '=', p.id),
    ),
    setPassword: prepared(['id', 'hash', 'now'], (p) =>
      qb.updateTable('people').set({ password_hash: p.hash, updated_at: p.now }).where('id', '=', p.id),
    ),
  };
}

export type RegistryQueries = ReturnType<typeof registryQueries>;

/** The registry's queries compiled for `dialect` (once per process). */
export const registryQueriesFor = perDialect(
  (dialect): RegistryQueries => registryQueries(sqlBuilder<RegistryDb>(dialect)),
);

/**
 * The statements of one import, in order, for one transaction of the adapter's: rows upserted by
 * id (units as given: parents first), each person's roles replaced, then the rosters and policies.
 */
export function importStatements(dialect: Dialect, w: RegistryWrite, now: number): CompiledQuery[] {
  const q = registryQueriesFor(dialect);
  const at = { updated_at: now };
  return [
    ...w.units.map((u) => q.unit.bind({ ...unitRow(u), ...at })),
    ...w.households.map((h) => q.household.bind({ ...householdRow(h), ...at })),
    ...w.teams.map((t) => q.team.bind({ ...teamRow(t), ...at })),
    ...w.devices.map((d) => q.device.bind({ ...deviceRow(d), ...at })),
    ...w.people.flatMap((p) => [
      q.person.bind({ ...personRow(p), ...at }),
      q.clearRoles.bind({ person: p.id }),
      ...p.roles.map((r) => q.role.bind({ person: p.id, role: r.role, unit: r.unit })),
    ]),
    ...(w.rosters ? rosterStatements(dialect, w.rosters, now) : []),
    ...(w.policies ? policyStatements(dialect, w.policies, 'registry-import', now) : []),
  ];
}
