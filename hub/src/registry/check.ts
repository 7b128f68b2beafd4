import type { RegistryDocument } from './schema.ts';

/** One bad row: where it is, what is wrong. CSV importers map `index` back to a line number. */
export interface RowError {
  section: 'units' | 'households' | 'teams' | 'devices' | 'people' | 'rosters' | 'policies' | 'document';
  index: number;
  id?: string;
  field?: string;
  reason: string;
}

/** What the document may refer to that is already in the store. */
export interface KnownIds {
  unitLevel(id: string): string | undefined;
  hasHousehold(id: string): boolean;
  hasTeam(id: string): boolean;
  usernameOwner(username: string): string | undefined;
}

const LEVEL_ORDER = ['league', 'banner', 'sumu', 'gacha', 'grid'];

/**
 * Cross-row checks that a schema alone can't make: unique ids, parents that exist one level up,
 * households in grids, devices bound to known households/teams, logins unique. Returns every
 * problem, so an import can report all bad rows at once and change nothing.
 */
export function checkDocument(doc: RegistryDocument, known: KnownIds): RowError[] {
  const errors: RowError[] = [];
  const levelOf = new Map<string, string>();
  const dup = (section: RowError['section'], ids: string[]) => {
    const seen = new Set<string>();
    ids.forEach((id, index) => {
      if (seen.has(id))
        errors.push({ section, index, id, field: 'id', reason: `duplicate id ${id} in this import` });
      seen.add(id);
    });
  };
  dup(
    'units',
    doc.units.map((u) => u.id),
  );
  dup(
    'households',
    doc.households.map((h) => h.id),
  );
  dup(
    'teams',
    doc.teams.map((t) => t.id),
  );
  dup(
    'devices',
    doc.devices.map((d) => d.id),
  );
  dup(
    'people',
    doc.people.map((p) => p.id),
  );

  for (const u of doc.units) levelOf.set(u.id, u.level);
  const level = (id: string) => levelOf.get(id) ?? known.unitLevel(id);

  doc.units.forEach((u, index) => {
    const depth = LEVEL_ORDER.indexOf(u.level);
    if (u.parent === null) {
      if (depth !== 0)
        errors.push({
          section: 'units',
          index,
          id: u.id,
          field: 'parent',
          reason: `a ${u.level} needs a parent unit`,
        });
      return;
    }
    const parentLevel = level(u.parent);
    if (parentLevel === undefined) {
      errors.push({
        section: 'units',
        index,
        id: u.id,
        field: 'parent',
        reason: `parent unit ${u.parent} does not exist`,
      });
    } else if (LEVEL_ORDER.indexOf(parentLevel) !== depth - 1) {
      errors.push({
        section: 'units',
        index,
        id: u.id,
        field: 'parent',
        reason: `a ${u.level} must sit under a ${LEVEL_ORDER[depth - 1] ?? 'nothing'}, but ${u.parent} is a ${parentLevel}`,
      });
    }
  });

  doc.households.forEach((h, index) => {
    const l = level(h.grid);
    if (l !== 'grid') {
      errors.push({
        section: 'households',
        index,
        id: h.id,
        field: 'grid',
        reason: l ? `${h.grid} is a ${l}, not a grid` : `grid ${h.grid} does not exist`,
      });
    }
  });
  doc.teams.forEach((t, index) => {
    if (level(t.unit) === undefined)
      errors.push({
        section: 'teams',
        index,
        id: t.id,
        field: 'unit',
        reason: `unit ${t.unit} does not exist`,
      });
  });

  const households = new Set(doc.households.map((h) => h.id));
  const teams = new Set(doc.teams.map((t) => t.id));
  doc.devices.forEach((d, index) => {
    if (d.household !== undefined && !households.has(d.household) && !known.hasHousehold(d.household)) {
      errors.push({
        section: 'devices',
        index,
        id: d.id,
        field: 'household',
        reason: `household ${d.household} does not exist`,
      });
    }
    if (d.team !== undefined && !teams.has(d.team) && !known.hasTeam(d.team)) {
      errors.push({
        section: 'devices',
        index,
        id: d.id,
        field: 'team',
        reason: `patrol team ${d.team} does not exist`,
      });
    }
  });

  const usernames = new Map<string, string>();
  doc.people.forEach((p, index) => {
    p.roles.forEach((r, i) => {
      if (level(r.unit) === undefined) {
        errors.push({
          section: 'people',
          index,
          id: p.id,
          field: `roles.${i}.unit`,
          reason: `unit ${r.unit} does not exist`,
        });
      }
    });
    if (p.team !== undefined && !teams.has(p.team) && !known.hasTeam(p.team)) {
      errors.push({
        section: 'people',
        index,
        id: p.id,
        field: 'team',
        reason: `patrol team ${p.team} does not exist`,
      });
    }
    if (p.login) {
      const u = p.login.username;
      const owner = usernames.get(u) ?? known.usernameOwner(u);
      if (owner !== undefined && owner !== p.id) {
        errors.push({
          section: 'people',
          index,
          id: p.id,
          field: 'login.username',
          reason: `username ${u} is taken by ${owner}`,
        });
      }
      usernames.set(u, p.id);
    }
  });
  return errors;
}
