import { createHash } from 'node:crypto';
import type { RegistryDocument } from '../registry/schema.ts';
import type { Db } from '../state/db.ts';
import { simBorder } from './geo/geography.ts';
import { generateLeague, type SimLeague } from './league.ts';
import { simZones } from './zones.ts';

export interface Demo {
  league: SimLeague;
  zones: ReturnType<typeof simZones>;
  border: [number, number][];
  /** The registry document to import, or undefined when this exact league is already in the state DB. */
  registry: RegistryDocument | undefined;
  /** Records that the league was imported (call after the hub imported it). */
  markImported(db: Db): void;
}

/**
 * The demo league for `npm start`: generated from the domain brief, imported once (re-importing
 * thousands of hashed device secrets at every start would cost seconds for nothing), with zones
 * that match it.
 */
export function prepareDemo(households: number, db: Db | undefined): Demo {
  const league = generateLeague({ households });
  const border = simBorder(); // the real border line along the two banners (Natural Earth)
  const fingerprint = createHash('sha256').update(JSON.stringify(league.doc)).digest('hex');
  db?.exec('CREATE TABLE IF NOT EXISTS sim_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const known = db?.prepare(`SELECT value FROM sim_meta WHERE key = 'league'`).pluck().get() as
    | string
    | undefined;
  return {
    league,
    border: border.geometry.coordinates,
    zones: simZones(league, border),
    registry: known === fingerprint ? undefined : league.doc,
    markImported(d) {
      d.exec('CREATE TABLE IF NOT EXISTS sim_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      d.prepare(
        `INSERT INTO sim_meta (key, value) VALUES ('league', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      ).run(fingerprint);
    },
  };
}
