/**
 * Incident tables. Append new migrations; never edit an applied one.
 *
 * - incidents: one row per incident; `next_at`/`next_action` are the persisted escalation timer.
 *   At most one open incident per `key` (partial unique index).
 * - incident_events: the timeline — every transition and escalation step, who, when, note.
 * - incident_messages: ids of MQTT messages already applied (SOS raise/cancel, worker acks),
 *   so a handler re-run after a crash changes nothing.
 * - pages: one row per escalation step (incident, level, reminder, kind); inserting it is what
 *   makes a step happen, so a restart never pages the same step twice.
 * - deliveries: the outbox — one row per recipient and channel (worker MQTT alert, SMS/voice
 *   webhook, dashboard stream, household sos-ack, duty notices) with its delivery state.
 */
export const incidentMigrations = [
  `CREATE TABLE incidents (
     id TEXT PRIMARY KEY, key TEXT NOT NULL, source TEXT NOT NULL, category TEXT NOT NULL,
     severity TEXT NOT NULL, state TEXT NOT NULL, unit TEXT NOT NULL, household TEXT, device TEXT,
     reporter TEXT, sos_id TEXT, presses INTEGER NOT NULL DEFAULT 1, last_press_at INTEGER,
     source_ts INTEGER NOT NULL, opened_at INTEGER NOT NULL, late_ms INTEGER NOT NULL DEFAULT 0,
     summary TEXT NOT NULL, details TEXT, pos_lat REAL, pos_lon REAL, pos_acc REAL, pos_at INTEGER,
     chain TEXT NOT NULL, also_notify TEXT,
     level INTEGER NOT NULL DEFAULT -1, level_at INTEGER, reminder INTEGER NOT NULL DEFAULT 0,
     next_at INTEGER, next_action TEXT, escalations INTEGER NOT NULL DEFAULT 0,
     top_reminders INTEGER NOT NULL DEFAULT 0,
     ack_by TEXT, ack_at INTEGER, dispatched_at INTEGER, rescue TEXT, closed_at INTEGER,
     updated_at INTEGER NOT NULL);
   CREATE UNIQUE INDEX incidents_open_key ON incidents(key) WHERE closed_at IS NULL;
   CREATE INDEX incidents_due ON incidents(next_at) WHERE next_at IS NOT NULL;
   CREATE INDEX incidents_unit ON incidents(unit, opened_at);
   CREATE INDEX incidents_opened ON incidents(opened_at);
   CREATE INDEX incidents_closed ON incidents(closed_at) WHERE closed_at IS NOT NULL;
   CREATE INDEX incidents_key ON incidents(key, opened_at);
   CREATE TABLE incident_events (
     id INTEGER PRIMARY KEY, incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
     at INTEGER NOT NULL, type TEXT NOT NULL, state TEXT, actor TEXT, actor_name TEXT, actor_role TEXT,
     level INTEGER, note TEXT, data TEXT);
   CREATE INDEX incident_events_incident ON incident_events(incident_id, id);
   CREATE TABLE incident_messages (
     msg_id TEXT NOT NULL, source TEXT NOT NULL, incident_id TEXT, at INTEGER NOT NULL,
     PRIMARY KEY (source, msg_id)) WITHOUT ROWID;
   CREATE TABLE incident_positions (
     incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE, t INTEGER NOT NULL,
     lat REAL NOT NULL, lon REAL NOT NULL, acc REAL, PRIMARY KEY (incident_id, t)) WITHOUT ROWID;
   CREATE TABLE pages (
     incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE, level INTEGER NOT NULL,
     reminder INTEGER NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL, ack_by_at INTEGER,
     people TEXT NOT NULL, PRIMARY KEY (incident_id, level, reminder, kind)) WITHOUT ROWID;
   CREATE TABLE deliveries (
     id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, incident_id TEXT, level INTEGER, reminder INTEGER,
     kind TEXT NOT NULL, person TEXT, device TEXT, channel TEXT NOT NULL, payload TEXT NOT NULL,
     status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_try_at INTEGER, last_error TEXT,
     created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
   CREATE INDEX deliveries_due ON deliveries(next_try_at) WHERE status IN ('pending', 'retry');
   CREATE INDEX deliveries_incident ON deliveries(incident_id);
   CREATE INDEX deliveries_device ON deliveries(device, id) WHERE device IS NOT NULL;
   CREATE INDEX deliveries_created ON deliveries(created_at);
   CREATE TABLE duty_summaries (
     unit TEXT NOT NULL, day TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL,
     PRIMARY KEY (unit, day)) WITHOUT ROWID;`,
  // 2: indexes for the hot paths (positions of devices with an open incident; each device's next sos-ack)
  `CREATE INDEX incidents_device_open ON incidents(device) WHERE closed_at IS NULL AND device IS NOT NULL;
   CREATE INDEX deliveries_device_open ON deliveries(device, id) WHERE status IN ('pending', 'retry') AND device IS NOT NULL;`,
  // 3: delivery truth. `queued` = the broker holds it for a subscribed session; `delivered` = the
  // receiver acknowledged (MQTT PUBACK, gateway 2xx); `held` = an SMS fallback waiting for the
  // app's PUBACK (sent if none comes in time); `not-needed` = a fallback the app made unnecessary.
  // wire_id = topic#message id, to find the row a PUBACK answers;
  // after_key = the row (the app page) whose delivery makes this fallback unnecessary.
  `ALTER TABLE deliveries ADD COLUMN wire_id TEXT;
   ALTER TABLE deliveries ADD COLUMN delivered_at INTEGER;
   ALTER TABLE deliveries ADD COLUMN after_key TEXT;
   UPDATE deliveries SET status = 'queued' WHERE status = 'sent' AND channel IN ('mqtt', 'device');
   CREATE INDEX deliveries_wire ON deliveries(wire_id) WHERE wire_id IS NOT NULL;
   DROP INDEX deliveries_due;
   CREATE INDEX deliveries_due ON deliveries(next_try_at) WHERE status IN ('pending', 'retry', 'held');
   DROP INDEX deliveries_device_open;
   CREATE INDEX deliveries_device_open ON deliveries(device, id) WHERE status IN ('pending', 'retry', 'held') AND device IS NOT NULL;
   CREATE INDEX deliveries_after ON deliveries(after_key) WHERE after_key IS NOT NULL;
   CREATE INDEX deliveries_undelivered ON deliveries(created_at) WHERE status = 'queued' AND kind = 'alert';`,
  // 4: optimistic concurrency: every save bumps `version` and only succeeds on the version it read,
  // so an escalation step (the incident's timer) is claimed by one writer only.
  `ALTER TABLE incidents ADD COLUMN version INTEGER NOT NULL DEFAULT 0;`,
  // 5: a key's last closed incident (does a late SOS press fold into it?) is one index step, not a
  // sort of every incident the household ever had.
  `CREATE INDEX incidents_key_closed ON incidents(key, closed_at, opened_at, id) WHERE closed_at IS NOT NULL;`,
  // 6 (issue #24): the escalation policy an incident was raised with (JSON, its source named), and
  // drills, which run the real path but stay out of response statistics.
  `ALTER TABLE incidents ADD COLUMN policy TEXT;
   ALTER TABLE incidents ADD COLUMN drill INTEGER NOT NULL DEFAULT 0;`,
];
