import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { shortMessageKey } from '@steppelink/protocols/short-message';
import { loadServerKey, purposeKey, SERVER_KEY_FILE } from '../auth/server-key.ts';
import { type Db, migrate } from '../state/db.ts';
import { shortMessageMigrations } from './migrations.ts';

/**
 * Each device's short-message key: HMAC-SHA-256(device secret, "steppelink short-message key v1"),
 * the key its SOS short messages are authenticated with (`shortMessageKey` in protocols). The hub
 * keeps device secrets only as an HMAC verifier, so it learns this key when it has the secret in
 * hand: when it issues one (`steppelink-hub device add` / `device secret`) and whenever a device
 * proves its secret at MQTT CONNECT (a device provisioned before, or rotated through the API,
 * is covered from its next connection). The key is one way from the secret: holding it lets you
 * sign a short message, never log in over MQTT, so device authentication is not weakened. It is
 * stored sealed (AES-256-GCM, the device id as associated data) under a key derived from hub.key,
 * kept apart from state.db like the device-secret key: a copy of the database cannot sign.
 */
export class MessageKeys {
  private readonly seal: Buffer;
  /** device → sha256 of its current key, so a reconnecting device costs no write */
  private readonly known = new Map<string, string>();
  private readonly st;

  constructor(db: Db, hubKey: Buffer) {
    migrate(db, 'short-message', shortMessageMigrations);
    this.seal = purposeKey(hubKey, 'short-message-key-seal-v1');
    this.st = {
      get: db.prepare('SELECT sealed FROM device_message_keys WHERE device_id = ?').pluck(),
      put: db.prepare(
        `INSERT INTO device_message_keys (device_id, sealed, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
      ),
    };
  }

  /** For the CLI: the keys of the data dir's hub.key (created on first use). */
  static open(db: Db, dataDir: string): MessageKeys {
    return new MessageKeys(db, loadServerKey(join(dataDir, SERVER_KEY_FILE)));
  }

  /** Records the key of a device secret the hub has in hand (written only when it changed). */
  learn(deviceId: string, secret: string, now = Date.now()): void {
    const key = shortMessageKey(secret);
    const print = createHash('sha256').update(key).digest('base64url');
    if (this.known.get(deviceId) === print) return;
    const current = this.get(deviceId);
    if (!current?.equals(key)) this.st.put.run(deviceId, this.sealed(deviceId, key), now);
    this.known.set(deviceId, print);
  }

  /** The device's key, or undefined when the hub never had its secret in hand. */
  get(deviceId: string): Buffer | undefined {
    const sealed = this.st.get.get(deviceId) as Buffer | undefined;
    if (!sealed) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', this.seal, sealed.subarray(0, 12));
      d.setAAD(Buffer.from(deviceId, 'utf8'));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]);
    } catch {
      return undefined; // sealed under another hub.key: the device must connect (or be re-provisioned) again
    }
  }

  private sealed(deviceId: string, key: Buffer): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.seal, iv);
    c.setAAD(Buffer.from(deviceId, 'utf8'));
    const body = Buffer.concat([c.update(key), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }
}
