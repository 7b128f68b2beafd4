/** Tables of the API's authentication (module 'api-auth'). Append new migrations; never edit one. */
export const authMigrations = [
  `CREATE TABLE api_sessions (
     id_hash TEXT PRIMARY KEY, person TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
     client TEXT NOT NULL, created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL, max_expires_at INTEGER NOT NULL);
   CREATE INDEX api_sessions_person ON api_sessions(person);
   CREATE INDEX api_sessions_expires ON api_sessions(expires_at);
   CREATE TABLE api_tokens (
     id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE,
     person TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE, label TEXT NOT NULL,
     created_by TEXT, created_at INTEGER NOT NULL, expires_at INTEGER, last_used_at INTEGER,
     revoked_at INTEGER);
   CREATE INDEX api_tokens_person ON api_tokens(person);`,
];
