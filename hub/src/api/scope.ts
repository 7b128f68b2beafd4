import type { Context } from 'hono';
import type { DeviceRecord } from '../registry/registry.ts';
import { visibleUnits } from './auth/principal.ts';
import { canSee, type Principal } from './context.ts';
import type { ApiCore } from './deps.ts';
import { apiError } from './errors.ts';

/**
 * Scoping rules, the same on every route:
 * - a list filtered by `?unit=` outside the caller's units answers 403 `out_of_scope`
 *   (an unknown unit is outside every scope, so the answer doesn't reveal whether it exists);
 * - a single object (unit, household, device) outside them answers 404, exactly as if it didn't exist;
 * - a list without `?unit=` covers all the caller's units.
 */
export type UnitsResult =
  | { ok: true; units: string[] }
  | { ok: false; response: ReturnType<typeof outOfScope> };

const outOfScope = (c: Context, unit: string) =>
  apiError(c, 403, 'out_of_scope', `unit ${unit} is not within the units you can see`);

export function unitsFor(core: ApiCore, c: Context, p: Principal, unit: string | undefined): UnitsResult {
  if (unit === undefined) return { ok: true, units: visibleUnits(core.registry, p) };
  if (core.registry.getUnit(unit) === undefined || !canSee(core.registry, p, unit)) {
    return { ok: false, response: outOfScope(c, unit) };
  }
  return { ok: true, units: core.registry.descendants(unit) };
}

/** The device and its unit when the caller may see it; undefined otherwise (answer 404). */
export function visibleDevice(
  core: ApiCore,
  p: Principal,
  deviceId: string,
): { device: DeviceRecord; unit: string } | undefined {
  const device = core.registry.getDevice(deviceId);
  const unit = device && core.registry.deviceUnit(device);
  if (!device || !unit || !canSee(core.registry, p, unit)) return undefined;
  return { device, unit };
}

/** A device as the API shows it: never its secret hash, only whether it has one. */
export function deviceView(d: DeviceRecord, unit: string | null) {
  return {
    id: d.id,
    kind: d.kind,
    household: d.household,
    team: d.team,
    label: d.label,
    enabled: d.enabled,
    hasSecret: d.secretHash !== null,
    unit,
  };
}
export type DeviceView = ReturnType<typeof deviceView>;
