import type { Me, Role } from './session.ts';

/**
 * What the hub will let this person change, mirrored so the dashboard offers only what it will
 * accept (the hub still decides: a refusal is shown as it words it). `path` is the unit and its
 * ancestors (unit-paths.ts); a role anchored at any of them reaches the unit, as the hub's
 * `canActAs` reads the tree.
 */
const holds = (me: Me, roles: readonly Role[], path: readonly { id: string }[]) =>
  me.roles.some((r) => roles.includes(r.role) && path.some((u) => u.id === r.unit.id));

/** PUT/DELETE /api/policies for a unit: an admin there or above (the hub's `isAdminOf`). */
export const mayEditPolicy = (me: Me, path: readonly { id: string }[]) => holds(me, ['admin'], path);

/** Who may start a drill: the hub's DRILL_ROLES (api-drills.ts; a test keeps the two lists equal). */
export const DRILL_ROLES: readonly Role[] = [
  'station-officer',
  'banner-duty-officer',
  'league-duty-officer',
  'admin',
];

/** POST /api/drills for a target in the unit at the end of `path`. */
export const mayStartDrill = (me: Me, path: readonly { id: string }[]) => holds(me, DRILL_ROLES, path);

/** Has a drill role anywhere: the start form is shown at all. */
export const startsDrills = (me: Me) => me.roles.some((r) => DRILL_ROLES.includes(r.role));
