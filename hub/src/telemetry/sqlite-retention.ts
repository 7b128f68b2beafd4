import type Database from 'better-sqlite3';

const TABLES = [
  ['pos', 'latest_pos'],
  ['health', 'latest_health'],
  ['grazing', 'latest_grazing'],
] as const;

/**
 * Deletes points older than `cutoff` device by device through the primary key (devices come from
 * the latest_* tables), `chunkDevices` per transaction with a turn of the event loop in between,
 * so ingest keeps flowing during a large purge. `db()` throws once the store is closed.
 */
export async function deleteOlderThan(
  db: () => Database.Database,
  cutoff: number,
  chunkDevices: number,
): Promise<number> {
  let deleted = 0;
  for (const [points, latest] of TABLES) {
    const d = db();
    const devices = d.prepare(`SELECT device FROM ${latest} ORDER BY device`).pluck().all() as string[];
    const del = d.prepare(`DELETE FROM ${points} WHERE device = ? AND t < ?`);
    const chunkTx = d.transaction((chunk: string[]) => {
      for (const dev of chunk) deleted += del.run(dev, cutoff).changes;
    });
    for (let i = 0; i < devices.length; i += chunkDevices) {
      db(); // still open?
      chunkTx(devices.slice(i, i + chunkDevices));
      await new Promise<void>((r) => setImmediate(r));
    }
    // a latest row older than the cutoff means every point of that device is gone
    db().prepare(`DELETE FROM ${latest} WHERE t < ?`).run(cutoff);
  }
  return deleted;
}
