import type { CompiledQuery, Kysely } from 'kysely';
import type { RostersInput } from '../registry/schema.ts';
import { type Dialect, fromExcluded, perDialect, prepared, sqlBuilder } from '../state/sql.ts';
import { parseDay, startOfDay } from './tz.ts';

/**
 * A rosters section (of the registry document, or a PUT /rosters/:unit) as the duty tables'
 * rows, its checks against the registry, and the statements that write it. One mapping for every
 * path that writes rosters: the registry import (CLI, API, start-up) and the roster API.
 */
export interface RotationRow {
  unit: string;
  role: string;
  period: string;
  handover: string;
  start_date: string;
  members: string;
  per_shift: number;
  time_zone: string;
}
export interface OverrideRow {
  id: string;
  unit: string;
  role: string;
  kind: string;
  person: string;
  other: string | null;
  from_text: string;
  to_text: string;
  from_ms: number;
  to_ms: number;
  note: string | null;
}
export interface RosterRows {
  /** Units whose rotations and overrides are removed first (a roster PUT replaces its unit's). */
  replaceUnits: readonly string[];
  rotations: readonly RotationRow[];
  overrides: readonly OverrideRow[];
}

/** The rotation time zone of a unit and role already stored, if any. */
export type ZoneOf = (unit: string, role: string) => string | undefined;

const zoneFor = (doc: RostersInput, stored: ZoneOf) => (unit: string, role: string) =>
  doc.rotations.find((r) => r.unit === unit && r.role === role)?.timeZone ??
  stored(unit, role) ??
  doc.timeZone;

/** A date means whole local days: from its midnight to the midnight after `to`'s date. */
function range(o: { from: string; to: string }, zone: string): { from: number; to: number } {
  const isDate = (s: string) => s.length === 10;
  return {
    from: isDate(o.from) ? startOfDay(parseDay(o.from), zone) : Date.parse(o.from),
    to: isDate(o.to) ? startOfDay(parseDay(o.to) + 1, zone) : Date.parse(o.to),
  };
}

export function rosterRows(
  doc: RostersInput,
  stored: ZoneOf,
  replaceUnits: readonly string[] = [],
): RosterRows {
  const zone = zoneFor(doc, stored);
  return {
    replaceUnits,
    rotations: doc.rotations.map((r) => ({
      unit: r.unit,
      role: r.role,
      period: r.period,
      handover: r.handover,
      start_date: r.startDate,
      members: JSON.stringify(r.members),
      per_shift: r.perShift,
      time_zone: r.timeZone ?? doc.timeZone,
    })),
    overrides: doc.overrides.map((o) => {
      const { from, to } = range(o, zone(o.unit, o.role));
      return {
        id: o.id ?? `${o.kind}:${o.unit}:${o.role}:${o.person}:${o.from}`.slice(0, 64),
        unit: o.unit,
        role: o.role,
        kind: o.kind,
        person: o.person,
        other: o.kind === 'swap' ? o.with : o.kind === 'cover' ? (o.replaces ?? null) : null,
        from_text: o.from,
        to_text: o.to,
        from_ms: from,
        to_ms: to,
        note: o.note ?? null,
      };
    }),
  };
}

export interface RosterIssue {
  list: 'rotations' | 'overrides';
  index: number;
  field: string;
  reason: string;
}

/** Checks a rosters section against what exists: units and people known, one rotation per unit and role, ranges forward. */
export function checkRosters(
  doc: RostersInput,
  known: { hasUnit(id: string): boolean; hasPerson(id: string): boolean },
  stored: ZoneOf,
): RosterIssue[] {
  const issues: RosterIssue[] = [];
  const zone = zoneFor(doc, stored);
  const seen = new Set<string>();
  doc.rotations.forEach((r, index) => {
    const err = (field: string, reason: string) => issues.push({ list: 'rotations', index, field, reason });
    if (!known.hasUnit(r.unit)) err('unit', `unknown unit ${r.unit}`);
    const k = `${r.unit}\u0000${r.role}`;
    if (seen.has(k)) err('role', `a second rotation for ${r.unit} ${r.role}`);
    seen.add(k);
    for (const m of r.members) if (!known.hasPerson(m)) err('members', `unknown person ${m}`);
  });
  doc.overrides.forEach((o, index) => {
    const err = (field: string, reason: string) => issues.push({ list: 'overrides', index, field, reason });
    if (!known.hasUnit(o.unit)) err('unit', `unknown unit ${o.unit}`);
    for (const p of [o.person, o.kind === 'swap' ? o.with : o.kind === 'cover' ? o.replaces : undefined]) {
      if (p !== undefined && !known.hasPerson(p)) err('person', `unknown person ${p}`);
    }
    const { from, to } = range(o, zone(o.unit, o.role));
    if (!(to > from)) err('to', 'must be after from');
  });
  return issues;
}

interface DutyDb {
  duty_rotations: RotationRow & { updated_at: number };
  duty_overrides: OverrideRow & { updated_at: number };
}

const ROTATION_COLUMNS = [
  'unit',
  'role',
  'period',
  'handover',
  'start_date',
  'members',
  'per_shift',
  'time_zone',
  'updated_at',
] as const;
const OVERRIDE_COLUMNS = [
  'id',
  'unit',
  'role',
  'kind',
  'person',
  'other',
  'from_text',
  'to_text',
  'from_ms',
  'to_ms',
  'note',
  'updated_at',
] as const;

function rosterQueries(qb: Kysely<DutyDb>) {
  return {
    rotation: prepared(ROTATION_COLUMNS, (p) =>
      qb
        .insertInto('duty_rotations')
        .values(p)
        .onConflict((oc) =>
          oc
            .columns(['unit', 'role'])
            .doUpdateSet(fromExcluded(ROTATION_COLUMNS.filter((c) => c !== 'unit' && c !== 'role'))),
        ),
    ),
    override: prepared(OVERRIDE_COLUMNS, (p) =>
      qb
        .insertInto('duty_overrides')
        .values(p)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet(fromExcluded(OVERRIDE_COLUMNS.filter((c) => c !== 'id'))),
        ),
    ),
    clearRotations: prepared(['unit'], (p) => qb.deleteFrom('duty_rotations').where('unit', '=', p.unit)),
    clearOverrides: prepared(['unit'], (p) => qb.deleteFrom('duty_overrides').where('unit', '=', p.unit)),
  };
}

const queriesFor = perDialect((dialect) => rosterQueries(sqlBuilder(dialect)));

/** The statements that write `rows`, in order, for one transaction of the caller's. */
export function rosterStatements(dialect: Dialect, rows: RosterRows, now: number): CompiledQuery[] {
  const q = queriesFor(dialect);
  return [
    ...rows.replaceUnits.flatMap((unit) => [
      q.clearRotations.bind({ unit }),
      q.clearOverrides.bind({ unit }),
    ]),
    ...rows.rotations.map((r) => q.rotation.bind({ ...r, updated_at: now })),
    ...rows.overrides.map((o) => q.override.bind({ ...o, updated_at: now })),
  ];
}
