/**
 * Schema of the embedded telemetry database. Point tables are WITHOUT ROWID and clustered on
 * (device, t, ...), so "track of device X between t1 and t2" is one range scan and a rewrite of
 * the same point hits the same key. `latest_*` tables hold one row per device, upserted only
 * when a newer source time arrives; they also list the devices that retention walks (deleting
 * by the primary key instead of keeping a second index on t for every point).
 */
export const SCHEMA_VERSION = 1;

export const schemaSql = `
CREATE TABLE IF NOT EXISTS pos (
  device TEXT NOT NULL,
  t INTEGER NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  alt REAL,
  hdop REAL,
  speed REAL,
  course REAL,
  msg_id TEXT NOT NULL,
  PRIMARY KEY (device, t, subject)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS latest_pos (
  device TEXT PRIMARY KEY,
  t INTEGER NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  alt REAL,
  hdop REAL,
  speed REAL,
  course REAL,
  msg_id TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS health (
  device TEXT NOT NULL,
  t INTEGER NOT NULL,
  power TEXT NOT NULL,
  battery REAL,
  rssi REAL,
  outbox INTEGER NOT NULL,
  uptime_s INTEGER NOT NULL,
  clock_offset_ms INTEGER,
  agent TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  PRIMARY KEY (device, t)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS latest_health (
  device TEXT PRIMARY KEY,
  t INTEGER NOT NULL,
  power TEXT NOT NULL,
  battery REAL,
  rssi REAL,
  outbox INTEGER NOT NULL,
  uptime_s INTEGER NOT NULL,
  clock_offset_ms INTEGER,
  agent TEXT NOT NULL,
  msg_id TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS grazing (
  device TEXT NOT NULL,
  t INTEGER NOT NULL,
  type TEXT NOT NULL,
  sensor TEXT NOT NULL,
  vals TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  PRIMARY KEY (device, t, type, sensor)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS latest_grazing (
  device TEXT PRIMARY KEY,
  t INTEGER NOT NULL
) WITHOUT ROWID;
`;

const posCols = 'device, t, subject, lat, lon, alt, hdop, speed, course, msg_id';
const posSet =
  'subject = excluded.subject, t = excluded.t, lat = excluded.lat, lon = excluded.lon, alt = excluded.alt, hdop = excluded.hdop, speed = excluded.speed, course = excluded.course, msg_id = excluded.msg_id';
const healthCols = 'device, t, power, battery, rssi, outbox, uptime_s, clock_offset_ms, agent, msg_id';
const healthSet =
  't = excluded.t, power = excluded.power, battery = excluded.battery, rssi = excluded.rssi, outbox = excluded.outbox, uptime_s = excluded.uptime_s, clock_offset_ms = excluded.clock_offset_ms, agent = excluded.agent, msg_id = excluded.msg_id';

/** Statement texts; a rewrite of the same key replaces the row (last write wins, as in InfluxDB). */
export const sql = {
  insertPos: `INSERT INTO pos (${posCols}) VALUES (?,?,?,?,?,?,?,?,?,?)
    ON CONFLICT (device, t, subject) DO UPDATE SET ${posSet}`,
  // newer source time wins; at the same t the greater subject wins, whatever the arrival order
  upsertLatestPos: `INSERT INTO latest_pos (${posCols}) VALUES (?,?,?,?,?,?,?,?,?,?)
    ON CONFLICT (device) DO UPDATE SET ${posSet}
    WHERE excluded.t > latest_pos.t OR (excluded.t = latest_pos.t AND excluded.subject >= latest_pos.subject)`,
  insertHealth: `INSERT INTO health (${healthCols}) VALUES (?,?,?,?,?,?,?,?,?,?)
    ON CONFLICT (device, t) DO UPDATE SET ${healthSet}`,
  upsertLatestHealth: `INSERT INTO latest_health (${healthCols}) VALUES (?,?,?,?,?,?,?,?,?,?)
    ON CONFLICT (device) DO UPDATE SET ${healthSet} WHERE excluded.t >= latest_health.t`,
  insertGrazing: `INSERT INTO grazing (device, t, type, sensor, vals, msg_id) VALUES (?,?,?,?,?,?)
    ON CONFLICT (device, t, type, sensor) DO UPDATE SET vals = excluded.vals, msg_id = excluded.msg_id`,
  upsertLatestGrazing: `INSERT INTO latest_grazing (device, t) VALUES (?,?)
    ON CONFLICT (device) DO UPDATE SET t = excluded.t WHERE excluded.t > latest_grazing.t`,
  countTrack:
    'SELECT count(*) AS n, min(t) AS first, max(t) AS last FROM pos WHERE device = ? AND t BETWEEN ? AND ?',
  countTrackSubject:
    'SELECT count(*) AS n, min(t) AS first, max(t) AS last FROM pos WHERE device = ? AND t BETWEEN ? AND ? AND subject = ?',
  track: `SELECT ${posCols} FROM pos WHERE device = ? AND t BETWEEN ? AND ? ORDER BY t, subject`,
  trackSubject: `SELECT ${posCols} FROM pos WHERE device = ? AND t BETWEEN ? AND ? AND subject = ? ORDER BY t`,
  // SQLite: with a single min() aggregate, the bare columns come from the row holding the minimum
  trackThinned: `SELECT device, min(t) AS t, subject, lat, lon, alt, hdop, speed, course, msg_id FROM pos
    WHERE device = ? AND t BETWEEN ? AND ? GROUP BY (t - CAST(? AS INTEGER)) / CAST(? AS INTEGER) ORDER BY t`,
  trackThinnedSubject: `SELECT device, min(t) AS t, subject, lat, lon, alt, hdop, speed, course, msg_id FROM pos
    WHERE device = ? AND t BETWEEN ? AND ? AND subject = ? GROUP BY (t - CAST(? AS INTEGER)) / CAST(? AS INTEGER) ORDER BY t`,
  latestPosAll: `SELECT ${posCols} FROM latest_pos ORDER BY device`,
  latestHealthAll: `SELECT ${healthCols} FROM latest_health ORDER BY device`,
  grazing:
    'SELECT device, t, type, sensor, vals, msg_id FROM grazing WHERE device = ? AND t BETWEEN ? AND ? ORDER BY t, type, sensor',
} as const;
