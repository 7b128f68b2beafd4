import type { Registry } from '../registry/registry.ts';
import type { Role, UnitLevel } from '../registry/schema.ts';

/** One level of escalation: the people in `role` at `unit` who are on duty. */
export interface ChainStep {
  unit: string;
  role: Role;
}

/**
 * The duty roles of each administrative level, nearest first: 网格员 → 网格长 at the grid,
 * the village secretary at the gacha, the police-civilian service station at the sumu/town,
 * the command platform at the banner and league.
 */
export const LEVEL_ROLES: Record<UnitLevel, readonly Role[]> = {
  grid: ['grid-worker', 'grid-leader'],
  gacha: ['village-secretary'],
  sumu: ['station-officer'],
  banner: ['banner-duty-officer'],
  league: ['league-duty-officer'],
};
const ORDER: readonly UnitLevel[] = ['grid', 'gacha', 'sumu', 'banner', 'league'];

/**
 * The escalation chain for an incident at `unitId`: `first` roles at that unit (e.g. the patrol
 * team's members), then the duty roles of the unit and each ancestor, up to and including `top`.
 */
export function escalationChain(
  registry: Registry,
  unitId: string,
  opts: { top: UnitLevel; first?: readonly Role[] },
): ChainStep[] {
  const steps: ChainStep[] = (opts.first ?? []).map((role) => ({ unit: unitId, role }));
  for (const u of registry.unitChain(unitId)) {
    if (ORDER.indexOf(u.level) > ORDER.indexOf(opts.top)) break;
    for (const role of LEVEL_ROLES[u.level]) steps.push({ unit: u.id, role });
  }
  return steps;
}

/** The role that leads a unit's level (for `alsoNotify` units: a sumu → its station officers). */
export function headRole(level: UnitLevel): Role {
  return level === 'grid' ? 'grid-worker' : (LEVEL_ROLES[level][0] ?? 'league-duty-officer');
}
