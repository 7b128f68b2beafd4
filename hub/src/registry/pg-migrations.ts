/**
 * Registry tables on PostgreSQL (issue #26). Append new migrations; never edit an applied one.
 * Migration 1 is SQLite's registryMigrations 1 (migrations.ts) with the mapping of
 * incidents/pg-migrations.ts: epoch ms → BIGINT, REAL → DOUBLE PRECISION, JSON kept as TEXT.
 * `devices.enabled` stays an INTEGER 0/1, as on SQLite, so the one row mapper reads both.
 */
export const registryPgMigrations = [
  `CREATE TABLE units (
     id TEXT PRIMARY KEY, level TEXT NOT NULL, parent TEXT REFERENCES units(id),
     name_zh TEXT NOT NULL, name_mn TEXT NOT NULL, name_en TEXT NOT NULL,
     center_lat DOUBLE PRECISION, center_lon DOUBLE PRECISION, boundary TEXT, updated_at BIGINT NOT NULL);
   CREATE INDEX units_parent ON units(parent);
   CREATE TABLE households (
     id TEXT PRIMARY KEY, grid TEXT NOT NULL REFERENCES units(id), name TEXT NOT NULL, phone TEXT,
     lang TEXT NOT NULL, lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL, pasture TEXT,
     members TEXT NOT NULL, notes TEXT, updated_at BIGINT NOT NULL);
   CREATE INDEX households_grid ON households(grid);
   CREATE TABLE teams (id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(id), name TEXT NOT NULL,
     updated_at BIGINT NOT NULL);
   CREATE TABLE devices (
     id TEXT PRIMARY KEY, kind TEXT NOT NULL, household TEXT REFERENCES households(id),
     team TEXT REFERENCES teams(id), label TEXT, enabled INTEGER NOT NULL, secret_hash TEXT,
     updated_at BIGINT NOT NULL);
   CREATE INDEX devices_household ON devices(household);
   CREATE INDEX devices_team ON devices(team);
   CREATE TABLE people (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT, lang TEXT NOT NULL, team TEXT,
     username TEXT UNIQUE, password_hash TEXT, updated_at BIGINT NOT NULL);
   CREATE TABLE person_roles (person TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
     role TEXT NOT NULL, unit TEXT NOT NULL REFERENCES units(id), PRIMARY KEY (person, role, unit));
   CREATE INDEX person_roles_unit ON person_roles(unit, role);`,
];
