/**
 * What a device marker is called: whose it is (the household, or the device's own label for a
 * patrol tracker — the hub's `owner`), then its kind; the bare device id only when the registry
 * names nothing. (Where a device is drawn — its fix, else its household's camp — the hub decides:
 * api/map/points.ts.)
 */
export function deviceName(
  d: { id: string; kind: string; owner: string | null },
  kindLabel: (kind: string) => string,
): string {
  return `${d.owner || d.id} · ${kindLabel(d.kind)}`;
}
