import type { Db } from '../state/db.ts';
import type { DeviceRow } from './queries.ts';

/**
 * The devices page's search (issue 23): a device matches when its id, its label, its household's
 * id or its household's name contains the text, ignoring case — what an officer types is a box
 * number off a sticker, a household's name or a patrol's label.
 */
export function matchDevices(db: Db, units: readonly string[], rows: DeviceRow[], text: string): DeviceRow[] {
  const needle = text.toLowerCase();
  const named = new Set(
    db
      .prepare(
        `SELECT id FROM households WHERE grid IN (SELECT value FROM json_each(?)) AND instr(lower(name), ?) > 0`,
      )
      .pluck()
      .all(JSON.stringify(units), needle) as string[],
  );
  return rows.filter(
    (d) =>
      d.id.toLowerCase().includes(needle) ||
      (d.label ?? '').toLowerCase().includes(needle) ||
      (d.household !== null &&
        d.household !== undefined &&
        (d.household.toLowerCase().includes(needle) || named.has(d.household))),
  );
}

/** Household names by id, for the page of devices shown. */
export function householdNames(db: Db, ids: readonly string[]): Map<string, string> {
  if (ids.length === 0) return new Map();
  const rows = db
    .prepare('SELECT id, name FROM households WHERE id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(ids)) as { id: string; name: string }[];
  return new Map(rows.map((r) => [r.id, r.name]));
}
