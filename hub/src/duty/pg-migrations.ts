/**
 * Duty tables on PostgreSQL (issue #26): SQLite's dutyMigrations 1 (migrations.ts) with epoch ms
 * as BIGINT. Append new migrations; never edit an applied one.
 */
export const dutyPgMigrations = [
  `CREATE TABLE duty_rotations (
     unit TEXT NOT NULL, role TEXT NOT NULL, period TEXT NOT NULL, handover TEXT NOT NULL,
     start_date TEXT NOT NULL, members TEXT NOT NULL, per_shift INTEGER NOT NULL, time_zone TEXT NOT NULL,
     updated_at BIGINT NOT NULL, PRIMARY KEY (unit, role));
   CREATE TABLE duty_overrides (
     id TEXT PRIMARY KEY, unit TEXT NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL, person TEXT NOT NULL,
     other TEXT, from_text TEXT NOT NULL, to_text TEXT NOT NULL, from_ms BIGINT NOT NULL, to_ms BIGINT NOT NULL,
     note TEXT, updated_at BIGINT NOT NULL);
   CREATE INDEX duty_overrides_unit ON duty_overrides(unit, role, to_ms);`,
];
