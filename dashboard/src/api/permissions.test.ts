import { describe, expect, it } from 'vitest';
import { DRILL_ROLES as HUB_DRILL_ROLES } from '../../../hub/src/incidents/api-drills.ts';
import { DRILL_ROLES, mayEditPolicy, mayStartDrill, startsDrills } from './permissions.ts';
import type { Me } from './session.ts';

const unit = (id: string) => ({ id, level: 'banner' as const, name: { zh: id, mn: id, en: id } });
const person = (roles: [Me['roles'][number]['role'], string][]): Me => ({
  person: { id: 'p', name: 'p', lang: 'zh' },
  via: 'session',
  roles: roles.map(([role, u]) => ({ role, unit: unit(u) })),
  scope: [],
  adminOf: roles.filter(([r]) => r === 'admin').map(([, u]) => u),
});
const path = (...ids: string[]) => ids.map((id) => ({ id }));

describe('what the dashboard offers to change', () => {
  it('starts drills with exactly the hub’s roles', () => {
    expect([...DRILL_ROLES].sort()).toEqual([...HUB_DRILL_ROLES].sort());
  });

  it('edits a unit’s policy as an admin there or above, never below or beside', () => {
    const admin = person([['admin', '150824']]);
    expect(mayEditPolicy(admin, path('150800', '150824', '150824-104'))).toBe(true);
    expect(mayEditPolicy(admin, path('150800'))).toBe(false);
    expect(mayEditPolicy(admin, path('150800', '150825'))).toBe(false);
    expect(mayEditPolicy(person([['banner-duty-officer', '150824']]), path('150800', '150824'))).toBe(false);
  });

  it('starts a drill where an officer above the grid holds a drill role', () => {
    const saren = person([['banner-duty-officer', '150824']]);
    expect(mayStartDrill(saren, path('150800', '150824', '150824-104-007-03'))).toBe(true);
    expect(mayStartDrill(saren, path('150800', '150825'))).toBe(false);
    expect(startsDrills(saren)).toBe(true);
    const bater = person([['grid-worker', '150824-104-007-03']]);
    expect(mayStartDrill(bater, path('150824-104-007-03'))).toBe(false);
    expect(startsDrills(bater)).toBe(false);
  });
});
