import { checkRosters, rosterRows, type ZoneOf } from '../duty/roster-rows.ts';
import { checkDocument, type RowError } from './check.ts';
import type { ImportSummary, Registry } from './registry.ts';
import { UNIT_LEVELS, type RegistryDocument } from './schema.ts';
import { type DeviceKey, hashSecret, isHashedSecret, verifySecretSync } from './secrets.ts';
import type { RegistryWrite } from './store-port.ts';
import { byUnitRole } from './store-sql.ts';

export type ImportPlan =
  | { ok: true; write: RegistryWrite; summary: ImportSummary }
  | { ok: false; errors: RowError[] };

/**
 * Turns a registry document into what the store writes: every section checked against itself
 * and the registry (rosters may name units and people of the same document), secrets hashed
 * (a plain secret that still matches its stored hash keeps it, so re-imports are cheap and
 * idempotent), units parents first. Any error: no write at all.
 */
export function planImport(
  doc: RegistryDocument,
  registry: Registry,
  opts: { deviceSecretHash(secret: string): string; deviceKey?: DeviceKey; rosterZones: ZoneOf },
): ImportPlan {
  const errors = checkDocument(doc, {
    unitLevel: (id) => registry.getUnit(id)?.level,
    hasHousehold: (id) => registry.getHousehold(id) !== undefined,
    hasTeam: (id) => registry.getTeam(id) !== undefined,
    usernameOwner: (u) => registry.personByUsername(u)?.id,
  });
  if (doc.rosters) {
    const units = new Set(doc.units.map((u) => u.id));
    const people = new Set(doc.people.map((p) => p.id));
    const issues = checkRosters(
      doc.rosters,
      {
        hasUnit: (id) => units.has(id) || registry.getUnit(id) !== undefined,
        hasPerson: (id) => people.has(id) || registry.getPerson(id) !== undefined,
      },
      opts.rosterZones,
    );
    for (const i of issues)
      errors.push({
        section: 'rosters',
        index: i.index,
        field: `${i.list}.${i.index}.${i.field}`,
        reason: i.reason,
      });
  }
  (doc.policies ?? []).forEach((p, index) => {
    if (p.unit !== null && !doc.units.some((u) => u.id === p.unit) && !registry.getUnit(p.unit))
      errors.push({
        section: 'policies',
        index,
        field: 'unit',
        reason: `unit ${p.unit} is not in the registry`,
      });
  });
  if (errors.length > 0) return { ok: false, errors };

  const hashFor = (secret: string, existing: string | null | undefined, cost: 'device' | 'password') => {
    if (isHashedSecret(secret)) return secret;
    if (existing && verifySecretSync(secret, existing, opts.deviceKey)) return existing;
    return cost === 'device' ? opts.deviceSecretHash(secret) : hashSecret(secret, cost);
  };
  const depth = (level: string) => UNIT_LEVELS.indexOf(level as (typeof UNIT_LEVELS)[number]);
  const write: RegistryWrite = {
    units: [...doc.units]
      .sort((a, b) => depth(a.level) - depth(b.level))
      .map((u) => ({
        id: u.id,
        level: u.level,
        parent: u.parent,
        name: u.name,
        ...(u.center ? { center: u.center } : {}),
        ...(u.boundary ? { boundary: u.boundary } : {}),
      })),
    households: doc.households,
    teams: doc.teams,
    devices: doc.devices.map((d) => ({
      id: d.id,
      kind: d.kind,
      household: d.household ?? null,
      team: d.team ?? null,
      label: d.label ?? null,
      enabled: d.enabled,
      secretHash:
        d.secret === undefined ? null : hashFor(d.secret, registry.getDevice(d.id)?.secretHash, 'device'),
    })),
    people: doc.people.map((p) => ({
      id: p.id,
      name: p.name,
      phone: p.phone ?? null,
      lang: p.lang,
      team: p.team ?? null,
      username: p.login?.username ?? null,
      passwordHash: p.login
        ? hashFor(p.login.password, registry.getPerson(p.id)?.passwordHash, 'password')
        : null,
      roles: byUnitRole(p.roles),
    })),
    ...(doc.rosters ? { rosters: rosterRows(doc.rosters, opts.rosterZones) } : {}),
    ...(doc.policies ? { policies: doc.policies } : {}),
  };
  return {
    ok: true,
    write,
    summary: {
      units: doc.units.length,
      households: doc.households.length,
      teams: doc.teams.length,
      devices: doc.devices.length,
      people: doc.people.length,
      rotations: doc.rosters?.rotations.length ?? 0,
      overrides: doc.rosters?.overrides.length ?? 0,
    },
  };
}
