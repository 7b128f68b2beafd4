/**
 * Tables owned by ingest (module 'ingest' in schema_migrations). Append, never edit.
 * - inbox: every accepted upstream message, once. `seq` (rowid) is the acceptance order; the
 *   unique (msg_id, sender) index makes a redelivered message a duplicate, durably. `sender` is
 *   the device id, or `worker/{personId}` for a worker's ack (`/` never occurs in an id).
 *   msg_id leads the index (migration 2): edge agents send time-ordered ULIDs, so live traffic
 *   appends at the index's right edge instead of touching one page per device in every commit.
 * - ingest_state: `processed_seq`, the watermark below which every inbox row has been handed to
 *   the telemetry store and the modules (rows are processed in seq order).
 * - dead_letters: the last N rejected or failed messages; reject_counts: totals since creation.
 */
export const ingestMigrations: readonly string[] = [
  `CREATE TABLE inbox (
     seq INTEGER PRIMARY KEY,
     sender TEXT NOT NULL,
     msg_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     payload BLOB NOT NULL,
     received_at INTEGER NOT NULL
   );
   CREATE UNIQUE INDEX inbox_sender_msg ON inbox (sender, msg_id);
   CREATE TABLE ingest_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
   INSERT INTO ingest_state (key, value) VALUES ('processed_seq', 0);
   CREATE TABLE dead_letters (
     id INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     topic TEXT NOT NULL,
     device_id TEXT,
     client_id TEXT,
     reason TEXT NOT NULL,
     detail TEXT NOT NULL,
     excerpt TEXT NOT NULL
   );
   CREATE INDEX dead_letters_reason ON dead_letters (reason, id);
   CREATE INDEX dead_letters_device ON dead_letters (device_id, id);
   CREATE TABLE reject_counts (reason TEXT PRIMARY KEY, count INTEGER NOT NULL);`,
  `DROP INDEX inbox_sender_msg;
   CREATE UNIQUE INDEX inbox_msg_sender ON inbox (msg_id, sender);`,
];
