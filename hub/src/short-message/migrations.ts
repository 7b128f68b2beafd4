/**
 * The short-message path's tables:
 * - `device_message_keys`: each device's message key (derived one way from its secret),
 *   encrypted under a key derived from hub.key, so a copy of state.db alone cannot forge an SMS;
 * - `short_messages`: every accepted SOS short message (its MAC is the replay check), with the
 *   path and return address the sos-ack goes back over. Kept for the replay window and more.
 */
export const shortMessageMigrations = [
  `CREATE TABLE device_message_keys (
     device_id TEXT PRIMARY KEY,
     sealed BLOB NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE short_messages (
     id INTEGER PRIMARY KEY,
     mac TEXT NOT NULL UNIQUE,
     gateway_id TEXT UNIQUE,
     device_id TEXT NOT NULL,
     sos_id TEXT NOT NULL,
     path TEXT NOT NULL,
     from_addr TEXT NOT NULL,
     sent_at INTEGER NOT NULL,
     received_at INTEGER NOT NULL,
     incident_id TEXT
   );
   CREATE INDEX short_messages_sos ON short_messages (device_id, sos_id, received_at);
   CREATE INDEX short_messages_at ON short_messages (received_at);`,
];
