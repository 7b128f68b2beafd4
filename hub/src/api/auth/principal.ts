import type { PersonRecord, Registry } from '../../registry/registry.ts';
import type { Principal } from '../context.ts';

export function principalOf(person: PersonRecord, via: Principal['via']): Principal {
  return { personId: person.id, name: person.name, lang: person.lang, roles: person.roles, via };
}

/**
 * The units a principal sees, without repeats: a role unit that lies inside another role unit
 * adds nothing (a banner officer who is also a grid worker there sees the banner).
 */
export function scopeRoots(registry: Registry, p: Principal): string[] {
  const units = [...new Set(p.roles.map((r) => r.unit))].filter((u) => registry.getUnit(u) !== undefined);
  return units.filter((u) => !units.some((other) => other !== u && registry.isWithin(u, other))).sort();
}

/** Every unit id the principal may see (their role units and all below). */
export function visibleUnits(registry: Registry, p: Principal): string[] {
  return scopeRoots(registry, p).flatMap((u) => registry.descendants(u));
}

/** Admin of a top-level unit (the league): sees hub-wide data such as rejects from unknown devices. */
export function isTopAdmin(registry: Registry, p: Principal): boolean {
  return p.roles.some((r) => r.role === 'admin' && registry.getUnit(r.unit)?.parent === null);
}
