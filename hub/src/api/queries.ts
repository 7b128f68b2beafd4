import type { DeviceKind } from '../registry/schema.ts';
import type { DeviceRecord } from '../registry/registry.ts';
import type { Db } from '../state/db.ts';

/**
 * Read queries over the registry tables that the store has no method for (scoped lists for the
 * API). Read-only; the registry store stays the only writer.
 */
type Row = Record<string, unknown>;

export interface DeviceRow extends DeviceRecord {
  unit: string | null;
}

export function devicesInUnits(db: Db, units: readonly string[], kind?: DeviceKind): DeviceRow[] {
  if (units.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT d.*, coalesce(h.grid, t.unit) AS unit FROM devices d
       LEFT JOIN households h ON h.id = d.household LEFT JOIN teams t ON t.id = d.team
       WHERE coalesce(h.grid, t.unit) IN (SELECT value FROM json_each(@units)) AND (@kind IS NULL OR d.kind = @kind)
       ORDER BY d.id`,
    )
    .all({ units: JSON.stringify(units), kind: kind ?? null }) as Row[];
  return rows.map(toDeviceRow);
}

export function devicesOfHousehold(db: Db, householdId: string): DeviceRecord[] {
  return (db.prepare('SELECT * FROM devices WHERE household = ? ORDER BY id').all(householdId) as Row[]).map(
    toDeviceRow,
  );
}

/** Ids of people holding any role in these units. */
export function peopleInUnits(db: Db, units: readonly string[]): string[] {
  if (units.length === 0) return [];
  return db
    .prepare(
      'SELECT DISTINCT person FROM person_roles WHERE unit IN (SELECT value FROM json_each(?)) ORDER BY person',
    )
    .pluck()
    .all(JSON.stringify(units)) as string[];
}

export function householdIdsInUnits(db: Db, units: readonly string[], limit: number, offset: number) {
  const json = JSON.stringify(units);
  const total = db
    .prepare('SELECT count(*) FROM households WHERE grid IN (SELECT value FROM json_each(?))')
    .pluck()
    .get(json) as number;
  const ids = db
    .prepare(
      'SELECT id FROM households WHERE grid IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ? OFFSET ?',
    )
    .pluck()
    .all(json, limit, offset) as string[];
  return { total, ids };
}

function toDeviceRow(r: Row): DeviceRow {
  return {
    id: r.id as string,
    kind: r.kind as DeviceKind,
    household: (r.household as string | null) ?? null,
    team: (r.team as string | null) ?? null,
    label: (r.label as string | null) ?? null,
    enabled: r.enabled === 1,
    secretHash: (r.secret_hash as string | null) ?? null,
    unit: (r.unit as string | null | undefined) ?? null,
  };
}
