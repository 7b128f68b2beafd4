import type { ImportIssue } from '../registry/import-errors.ts';
import type { RegistryDocument } from '../registry/schema.ts';
import type { Registry } from '../registry/registry.ts';
import { isAdminOf, type Principal } from './context.ts';

/**
 * Rows of an import the caller may not write: every unit a row touches — where it goes and,
 * for an existing row, where it is now — must lie within a unit the caller is admin of. So a
 * banner admin can't move a household out of another banner, nor give someone a league role.
 * References to rows that don't exist are left to the store's checks.
 */
export function importScopeIssues(
  registry: Registry,
  p: Principal,
  doc: RegistryDocument,
  lineOf: (section: string, index: number) => number | undefined,
): ImportIssue[] {
  const issues: ImportIssue[] = [];
  const admin = (u: string | undefined | null) => u === undefined || u === null || isAdminOf(registry, p, u);
  const check = (
    section: ImportIssue['section'],
    index: number,
    id: string,
    units: (string | undefined | null)[],
  ) => {
    const outside = units.filter((u) => !admin(u));
    if (outside.length > 0) {
      const line = lineOf(section, index);
      issues.push({
        section,
        index,
        id,
        ...(line !== undefined ? { line } : {}),
        reason: `touches ${[...new Set(outside)].join(', ')}, outside the units you administer`,
      });
    }
  };
  const docHouseholds = new Map(doc.households.map((h) => [h.id, h.grid]));
  const docTeams = new Map(doc.teams.map((t) => [t.id, t.unit]));

  doc.units.forEach((u, i) => {
    if (registry.getUnit(u.id)) check('units', i, u.id, [u.id, u.parent]);
    else if (u.parent === null) {
      issues.push({
        section: 'units',
        index: i,
        id: u.id,
        reason: 'a top-level unit can only be created offline (steppelink-hub import)',
      });
    } else check('units', i, u.id, [u.parent]);
  });
  doc.households.forEach((h, i) => {
    check('households', i, h.id, [h.grid, registry.getHousehold(h.id)?.grid]);
  });
  doc.teams.forEach((t, i) => {
    check('teams', i, t.id, [t.unit, registry.getTeam(t.id)?.unit]);
  });
  doc.devices.forEach((d, i) => {
    const target = d.household
      ? (docHouseholds.get(d.household) ?? registry.getHousehold(d.household)?.grid)
      : d.team
        ? (docTeams.get(d.team) ?? registry.getTeam(d.team)?.unit)
        : undefined;
    const existing = registry.getDevice(d.id);
    check('devices', i, d.id, [target, existing ? registry.deviceUnit(existing) : undefined]);
  });
  doc.people.forEach((person, i) => {
    const now = registry.getPerson(person.id)?.roles.map((r) => r.unit) ?? [];
    check('people', i, person.id, [...person.roles.map((r) => r.unit), ...now]);
  });
  const rosters = doc.rosters;
  if (rosters) {
    // a roster decides who is paged for a unit: only that unit's admins set it
    for (const [list, rows] of [
      ['rotations', rosters.rotations],
      ['overrides', rosters.overrides],
    ] as const) {
      rows.forEach((r, i) => {
        if (admin(r.unit)) return;
        issues.push({
          section: 'rosters',
          index: i,
          field: `${list}.${i}.unit`,
          reason: `touches ${r.unit}, outside the units you administer`,
        });
      });
    }
  }
  return issues;
}
