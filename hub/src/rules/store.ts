import { type Db, migrate } from '../state/db.ts';
import type { RulesConfig } from './config.ts';
import type { LatchState } from './latch.ts';
import type { Zone } from './zones.ts';

/** The rules' own tables (append migrations, never edit them). */
export const rulesMigrations: readonly string[] = [
  `CREATE TABLE rules_zones (
     id TEXT PRIMARY KEY, kind TEXT NOT NULL, unit_id TEXT NOT NULL, feature TEXT NOT NULL,
     updated_at INTEGER NOT NULL, updated_by TEXT);
   CREATE TABLE rules_config (
     id INTEGER PRIMARY KEY CHECK (id = 1), config TEXT NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT);
   CREATE TABLE rules_conditions (
     key TEXT PRIMARY KEY, category TEXT NOT NULL, unit_id TEXT NOT NULL, active INTEGER NOT NULL,
     raised INTEGER NOT NULL, pending_since INTEGER, active_since INTEGER, last_t INTEGER NOT NULL);
   CREATE INDEX rules_conditions_unit ON rules_conditions (unit_id);
   CREATE TABLE rules_coverage_lines (
     zone_id TEXT PRIMARY KEY, geometry_hash TEXT NOT NULL, since INTEGER NOT NULL);
   CREATE TABLE rules_coverage (
     zone_id TEXT NOT NULL, idx INTEGER NOT NULL, last_patrolled_at INTEGER NOT NULL, device_id TEXT,
     PRIMARY KEY (zone_id, idx));
   CREATE TABLE rules_devices (
     device_id TEXT PRIMARY KEY, last_heard_at INTEGER NOT NULL, power TEXT, power_since INTEGER,
     battery REAL, updated_at INTEGER NOT NULL);`,
];

export interface ConditionRow extends LatchState {
  key: string;
  category: string;
  unitId: string;
}
export interface CoverageRow {
  zoneId: string;
  idx: number;
  lastPatrolledAt: number;
  deviceId: string | null;
}
export interface DeviceHealthRow {
  deviceId: string;
  lastHeardAt: number;
  power: 'mains' | 'battery' | 'solar' | null;
  powerSince: number | null;
  battery: number | null;
}

type Row = Record<string, unknown>;
const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Typed access to the rules tables. Writes are batched by the callers (one transaction per flush). */
export class RulesStore {
  private readonly s;
  constructor(private readonly db: Db) {
    migrate(db, 'rules', rulesMigrations);
    this.s = {
      zones: db.prepare('SELECT feature FROM rules_zones ORDER BY id'),
      putZone: db.prepare(`INSERT INTO rules_zones (id, kind, unit_id, feature, updated_at, updated_by)
        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, unit_id=excluded.unit_id,
        feature=excluded.feature, updated_at=excluded.updated_at, updated_by=excluded.updated_by`),
      deleteZone: db.prepare('DELETE FROM rules_zones WHERE id = ?'),
      deleteAllZones: db.prepare('DELETE FROM rules_zones'),
      config: db.prepare('SELECT config FROM rules_config WHERE id = 1'),
      putConfig: db.prepare(`INSERT INTO rules_config (id, config, updated_at, updated_by) VALUES (1, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET config=excluded.config, updated_at=excluded.updated_at, updated_by=excluded.updated_by`),
      conditions: db.prepare('SELECT * FROM rules_conditions'),
      putCondition: db.prepare(`INSERT INTO rules_conditions
        (key, category, unit_id, active, raised, pending_since, active_since, last_t)
        VALUES (@key, @category, @unitId, @active, @raised, @pendingSince, @activeSince, @lastT)
        ON CONFLICT(key) DO UPDATE SET category=excluded.category, unit_id=excluded.unit_id, active=excluded.active,
        raised=excluded.raised, pending_since=excluded.pending_since, active_since=excluded.active_since, last_t=excluded.last_t`),
      deleteCondition: db.prepare('DELETE FROM rules_conditions WHERE key = ?'),
      coverageLine: db.prepare('SELECT geometry_hash, since FROM rules_coverage_lines WHERE zone_id = ?'),
      putCoverageLine:
        db.prepare(`INSERT INTO rules_coverage_lines (zone_id, geometry_hash, since) VALUES (?, ?, ?)
        ON CONFLICT(zone_id) DO UPDATE SET geometry_hash=excluded.geometry_hash, since=excluded.since`),
      clearCoverage: db.prepare('DELETE FROM rules_coverage WHERE zone_id = ?'),
      coverage: db.prepare('SELECT * FROM rules_coverage WHERE zone_id = ?'),
      putCoverage:
        db.prepare(`INSERT INTO rules_coverage (zone_id, idx, last_patrolled_at, device_id) VALUES (?, ?, ?, ?)
        ON CONFLICT(zone_id, idx) DO UPDATE SET last_patrolled_at=excluded.last_patrolled_at, device_id=excluded.device_id
        WHERE excluded.last_patrolled_at > rules_coverage.last_patrolled_at`),
      devices: db.prepare('SELECT * FROM rules_devices'),
      putDevice:
        db.prepare(`INSERT INTO rules_devices (device_id, last_heard_at, power, power_since, battery, updated_at)
        VALUES (@deviceId, @lastHeardAt, @power, @powerSince, @battery, @now) ON CONFLICT(device_id) DO UPDATE SET
        last_heard_at=max(excluded.last_heard_at, rules_devices.last_heard_at), power=excluded.power,
        power_since=excluded.power_since, battery=excluded.battery, updated_at=excluded.updated_at`),
    };
  }

  transaction(fn: () => void): void {
    this.db.transaction(fn)();
  }

  // ---- zones and config ----
  zones(): unknown[] {
    return (this.s.zones.pluck().all() as string[]).map((f) => JSON.parse(f));
  }
  putZone(z: Zone, at: number, by: string | null): void {
    this.s.putZone.run(z.properties.id, z.properties.kind, z.properties.unitId, JSON.stringify(z), at, by);
  }
  deleteZone(id: string): boolean {
    return this.s.deleteZone.run(id).changes > 0;
  }
  replaceZones(zones: readonly Zone[], at: number, by: string | null): void {
    this.transaction(() => {
      this.s.deleteAllZones.run();
      for (const z of zones) this.putZone(z, at, by);
    });
  }
  config(): unknown {
    const c = this.s.config.pluck().get() as string | undefined;
    return c === undefined ? undefined : JSON.parse(c);
  }
  putConfig(config: RulesConfig, at: number, by: string | null): void {
    this.s.putConfig.run(JSON.stringify(config), at, by);
  }

  // ---- rule conditions (latches) ----
  conditions(): ConditionRow[] {
    return (this.s.conditions.all() as Row[]).map((r) => ({
      key: r.key as string,
      category: r.category as string,
      unitId: r.unit_id as string,
      active: r.active === 1,
      raised: r.raised === 1,
      pendingSince: n(r.pending_since),
      activeSince: n(r.active_since),
      lastT: Number(r.last_t),
    }));
  }
  putCondition(c: ConditionRow): void {
    this.s.putCondition.run({ ...c, active: c.active ? 1 : 0, raised: c.raised ? 1 : 0 });
  }
  deleteCondition(key: string): void {
    this.s.deleteCondition.run(key);
  }

  // ---- patrol coverage ----
  /** When coverage of this geometry started; resets (and forgets old coverage) when the geometry changed. */
  coverageSince(zoneId: string, geometryHash: string, now: number): number {
    const row = this.s.coverageLine.get(zoneId) as { geometry_hash: string; since: number } | undefined;
    if (row && row.geometry_hash === geometryHash) return row.since;
    this.transaction(() => {
      this.s.clearCoverage.run(zoneId);
      this.s.putCoverageLine.run(zoneId, geometryHash, now);
    });
    return now;
  }
  coverage(zoneId: string): CoverageRow[] {
    return (this.s.coverage.all(zoneId) as Row[]).map((r) => ({
      zoneId: r.zone_id as string,
      idx: Number(r.idx),
      lastPatrolledAt: Number(r.last_patrolled_at),
      deviceId: (r.device_id as string | null) ?? null,
    }));
  }
  putCoverage(c: CoverageRow): void {
    this.s.putCoverage.run(c.zoneId, c.idx, c.lastPatrolledAt, c.deviceId);
  }

  // ---- device health ----
  devices(): DeviceHealthRow[] {
    return (this.s.devices.all() as Row[]).map((r) => ({
      deviceId: r.device_id as string,
      lastHeardAt: Number(r.last_heard_at),
      power: (r.power as DeviceHealthRow['power']) ?? null,
      powerSince: n(r.power_since),
      battery: n(r.battery),
    }));
  }
  putDevice(d: DeviceHealthRow, now: number): void {
    this.s.putDevice.run({ ...d, now });
  }
}
