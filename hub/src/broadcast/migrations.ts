/** Notices, their targets, receipts, schedules and the audit trail. Append; never edit. */
export const broadcastMigrations = [
  `CREATE TABLE notices (
     id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, created_by TEXT NOT NULL, issuer_unit TEXT NOT NULL,
     priority TEXT NOT NULL, valid_from INTEGER NOT NULL, expires_at INTEGER NOT NULL, texts TEXT NOT NULL,
     require_read INTEGER NOT NULL, audio TEXT, read_deadline_at INTEGER,
     state TEXT NOT NULL, -- scheduled | published | cancelled
     published_at INTEGER, tasks_raised_at INTEGER, schedule_id TEXT);
   CREATE INDEX notices_state ON notices(state, valid_from);
   CREATE TABLE notice_targets (notice_id TEXT NOT NULL REFERENCES notices(id), unit_id TEXT NOT NULL,
     PRIMARY KEY (notice_id, unit_id));
   CREATE INDEX notice_targets_unit ON notice_targets(unit_id);
   CREATE TABLE notice_receipts (notice_id TEXT NOT NULL, device_id TEXT NOT NULL,
     delivered_at INTEGER, read_at INTEGER, PRIMARY KEY (notice_id, device_id));
   CREATE TABLE notice_schedules (id TEXT PRIMARY KEY, cron TEXT NOT NULL, timezone TEXT NOT NULL,
     template TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL, active INTEGER NOT NULL);
   CREATE TABLE notice_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL,
     action TEXT NOT NULL, notice_id TEXT, detail TEXT NOT NULL);`,
];
