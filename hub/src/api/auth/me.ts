import type { Texts } from '@steppelink/protocols';
import type { UnitLevel } from '../../registry/schema.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Principal } from '../context.ts';
import { scopeRoots } from './principal.ts';

export interface UnitRef {
  id: string;
  level: UnitLevel;
  name: Texts;
}

export interface Me {
  person: { id: string; name: string; lang: 'zh' | 'mn' | 'en' };
  via: Principal['via'];
  roles: { role: Principal['roles'][number]['role']; unit: UnitRef }[];
  /** The units this person sees (each with everything below it). */
  scope: UnitRef[];
  /** Units where this person may change the registry. */
  adminOf: string[];
}

export function unitRef(registry: Registry, id: string): UnitRef {
  const u = registry.getUnit(id);
  return u ? { id, level: u.level, name: u.name } : { id, level: 'grid', name: { zh: id, mn: id, en: id } };
}

/** GET /api/me body: never carries a password hash, only what the person may know about themselves. */
export function meOf(
  registry: Registry,
  p: { id: string; name: string; lang: 'zh' | 'mn' | 'en'; roles: Principal['roles']; via: Principal['via'] },
): Me {
  const principal: Principal = { personId: p.id, name: p.name, lang: p.lang, roles: p.roles, via: p.via };
  return {
    person: { id: p.id, name: p.name, lang: p.lang },
    via: p.via,
    roles: p.roles.map((r) => ({ role: r.role, unit: unitRef(registry, r.unit) })),
    scope: scopeRoots(registry, principal).map((u) => unitRef(registry, u)),
    adminOf: [...new Set(p.roles.filter((r) => r.role === 'admin').map((r) => r.unit))],
  };
}
