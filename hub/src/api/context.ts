import type { Registry } from '../registry/registry.ts';
import type { Role } from '../registry/schema.ts';

/** Who is calling the API: a person (dashboard session or bearer token). */
export interface Principal {
  personId: string;
  name: string;
  lang: 'zh' | 'mn' | 'en';
  roles: { role: Role; unit: string }[];
  via: 'session' | 'token';
}

/** Hono environment of every authenticated route: `c.get('principal')`. */
export type ApiEnv = { Variables: { principal: Principal } };

/** Roles that see everything below their unit (as opposed to acting in it). */
export const OFFICER_ROLES: readonly Role[] = [
  'grid-worker',
  'grid-leader',
  'village-secretary',
  'station-officer',
  'banner-duty-officer',
  'league-duty-officer',
  'patrol-member',
  'admin',
];

/** The units the principal's roles are anchored at (they see those units and everything below). */
export function scopeUnits(p: Principal): string[] {
  return [...new Set(p.roles.map((r) => r.unit))];
}

/** May the principal see data of `unitId`? True when one of their role units is it or an ancestor of it. */
export function canSee(registry: Registry, p: Principal, unitId: string): boolean {
  return p.roles.some((r) => registry.isWithin(unitId, r.unit));
}

/** May the principal act in `unitId` with one of `roles`? (e.g. broadcast, acknowledge). */
export function canActAs(
  registry: Registry,
  p: Principal,
  unitId: string,
  roles: readonly Role[],
): boolean {
  return p.roles.some((r) => roles.includes(r.role) && registry.isWithin(unitId, r.unit));
}

/** True when the principal may administer the registry at `unitId`. */
export function isAdminOf(registry: Registry, p: Principal, unitId: string): boolean {
  return canActAs(registry, p, unitId, ['admin']);
}
