/** Registry tables. Append new migrations; never edit an applied one. */
export const registryMigrations = [
  `CREATE TABLE units (
     id TEXT PRIMARY KEY, level TEXT NOT NULL, parent TEXT REFERENCES units(id),
     name_zh TEXT NOT NULL, name_mn TEXT NOT NULL, name_en TEXT NOT NULL,
     center_lat REAL, center_lon REAL, boundary TEXT, updated_at INTEGER NOT NULL);
   CREATE INDEX units_parent ON units(parent);
   CREATE TABLE households (
     id TEXT PRIMARY KEY, grid TEXT NOT NULL REFERENCES units(id), name TEXT NOT NULL, phone TEXT,
     lang TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, pasture TEXT, members TEXT NOT NULL,
     notes TEXT, updated_at INTEGER NOT NULL);
   CREATE INDEX households_grid ON households(grid);
   CREATE TABLE teams (id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(id), name TEXT NOT NULL,
     updated_at INTEGER NOT NULL);
   CREATE TABLE devices (
     id TEXT PRIMARY KEY, kind TEXT NOT NULL, household TEXT REFERENCES households(id),
     team TEXT REFERENCES teams(id), label TEXT, enabled INTEGER NOT NULL, secret_hash TEXT,
     updated_at INTEGER NOT NULL);
   CREATE INDEX devices_household ON devices(household);
   CREATE INDEX devices_team ON devices(team);
   CREATE TABLE people (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT, lang TEXT NOT NULL, team TEXT,
     username TEXT UNIQUE, password_hash TEXT, updated_at INTEGER NOT NULL);
   CREATE TABLE person_roles (person TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
     role TEXT NOT NULL, unit TEXT NOT NULL REFERENCES units(id), PRIMARY KEY (person, role, unit));
   CREATE INDEX person_roles_unit ON person_roles(unit, role);`,
];
