import type { Texts } from '@steppelink/protocols';
import type { RosterRows } from '../duty/roster-rows.ts';
import type { DeviceKind, Household, PolygonGeometry, Role, UnitLevel } from './schema.ts';
import type { PolicyEntry } from '../incidents/policy.ts';

export interface UnitRecord {
  id: string;
  level: UnitLevel;
  parent: string | null;
  name: Texts;
  center?: { lat: number; lon: number };
  boundary?: PolygonGeometry;
}
export interface DeviceRecord {
  id: string;
  kind: DeviceKind;
  household: string | null;
  team: string | null;
  label: string | null;
  enabled: boolean;
  secretHash: string | null;
}
export type HouseholdRecord = Household;
export interface TeamRecord {
  id: string;
  unit: string;
  name: string;
}
export interface PersonRecord {
  id: string;
  name: string;
  phone: string | null;
  lang: 'zh' | 'mn' | 'en';
  team: string | null;
  username: string | null;
  passwordHash: string | null;
  roles: { role: Role; unit: string }[];
}

/** The whole registry, as the read model (registry.ts) holds it. */
export interface RegistrySnapshot {
  units: UnitRecord[];
  households: HouseholdRecord[];
  teams: TeamRecord[];
  devices: DeviceRecord[];
  people: PersonRecord[];
}

/**
 * One import, checked and with every secret already hashed: rows are upserted by id. A device's
 * `secretHash` or a person's `username`/`passwordHash` of null keeps what is stored; a person's
 * roles replace theirs. `rosters` (the duty tables) are written in the same transaction.
 */
export interface RegistryWrite {
  units: readonly UnitRecord[];
  households: readonly HouseholdRecord[];
  teams: readonly TeamRecord[];
  devices: readonly DeviceRecord[];
  people: readonly PersonRecord[];
  rosters?: RosterRows;
  /** The document's escalation policies (issue #24), written in the same transaction. */
  policies?: readonly PolicyEntry[];
}

/**
 * The registry store port: units, households, patrol teams, devices, people and their
 * credentials, as async calls, so a PostgreSQL adapter can stand in for SQLite. Nothing on the
 * per-message path calls it: the hub reads the registry from its in-memory read model
 * (registry.ts), loaded with `load()` at start and after each write through this port. Every
 * adapter runs the contract suite in store-contract.ts.
 */
export interface RegistryStore {
  /** Every row, ordered by id (people with their roles ordered by unit, role). */
  load(): Promise<RegistrySnapshot>;
  /** Writes one import all or nothing (units in the order given: parents first). */
  import(w: RegistryWrite, now: number): Promise<void>;
  /** False when there is no such device. */
  setDeviceSecretHash(id: string, hash: string, now: number): Promise<boolean>;
  setDeviceEnabled(id: string, enabled: boolean, now: number): Promise<boolean>;
  /** False when there is no such person. */
  setPasswordHash(personId: string, hash: string, now: number): Promise<boolean>;
  /**
   * Calls `fn` when another writer (the CLI on the same SQLite file, another hub on PostgreSQL)
   * changed the registry, so the read model reloads. Returns the function that stops watching.
   */
  watch?(fn: () => void): () => void;
}
