import { type DeviceRow, type Point, track } from '../../api/registry.ts';

async function inBatches<T, R>(items: T[], size: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/** The patrol trackers' tracks over a window (at most 50 trackers, 4 requests at a time). */
export async function loadTracks(
  trackers: DeviceRow[],
  from: number,
  to: number,
): Promise<{ deviceId: string; points: Point[] }[]> {
  const all = await inBatches(trackers.slice(0, 50), 4, async (d) => ({
    deviceId: d.id,
    points: await track(d.id, from, to).catch(() => []),
  }));
  return all.filter((t) => t.points.length > 0);
}
