import type { DeviceRow, HouseholdRow, Point } from '../../api/registry.ts';

export interface DevicePlace {
  device: DeviceRow;
  lat: number;
  lon: number;
  /** true: its own latest GPS fix; false: drawn at its household (set-top boxes have no GPS). */
  gps: boolean;
}

/** Where to draw each device: its latest fix, else its household's location; devices with neither are left out. */
export function devicePlaces(
  devices: DeviceRow[],
  positions: Point[],
  households: HouseholdRow[],
): DevicePlace[] {
  const fix = new Map<string, Point>();
  for (const p of positions) {
    const prev = fix.get(p.deviceId);
    if (!prev || p.t > prev.t) fix.set(p.deviceId, p);
  }
  const home = new Map(households.map((h) => [h.id, h.location]));
  return devices.flatMap((device): DevicePlace[] => {
    const p = fix.get(device.id);
    if (p) return [{ device, lat: p.lat, lon: p.lon, gps: true }];
    const h = device.household ? home.get(device.household) : undefined;
    return h ? [{ device, lat: h.lat, lon: h.lon, gps: false }] : [];
  });
}

/**
 * What a device marker is called: whose it is (the household, or the device's own label for a
 * patrol tracker), then its kind; the bare device id only when the registry names nothing.
 */
export function deviceName(
  d: Pick<DeviceRow, 'id' | 'kind' | 'household' | 'label'>,
  householdNames: ReadonlyMap<string, string>,
  kindLabel: (kind: string) => string,
): string {
  const owner = (d.household && householdNames.get(d.household)) || d.label || d.id;
  return `${owner} · ${kindLabel(d.kind)}`;
}
