import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DeviceKey, deviceKeyOf } from '../registry/secrets.ts';

/**
 * The hub's server-side secret: 32 random bytes in a file of its own (`<dataDir>/hub.key`, mode
 * 0600), created on first start. It is kept apart from state.db on purpose: a copy of the
 * database alone (a backup, a stolen disk image of the data) gives device-secret hashes that
 * cannot be checked offline without it. Purpose keys are derived from it with HMAC, so one file
 * serves several uses without reuse.
 */
export const SERVER_KEY_FILE = 'hub.key';

export function loadServerKey(path: string): Buffer {
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (key.length < 32)
      throw new Error(
        `${path}: the hub key must be at least 32 bytes (base64url); delete it to make a new one`,
      );
    return key;
  }
  const key = randomBytes(32);
  try {
    writeFileSync(path, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // the CLI and the hub starting at the same moment: the other one wrote it first
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadServerKey(path);
    throw err;
  }
  chmodSync(path, 0o600);
  return key;
}

/** A key for one purpose (`device-secret-v1`, `known-client-v1`), derived from the server key. */
export function purposeKey(serverKey: Buffer, purpose: string): Buffer {
  return createHmac('sha256', serverKey).update(purpose).digest();
}

/** The keys the hub and its CLI use, from `<dataDir>/hub.key` (created on first use). */
export function hubKeys(dataDir: string): { device: DeviceKey; knownClient: Buffer } {
  const k = loadServerKey(join(dataDir, SERVER_KEY_FILE));
  return {
    device: deviceKeyOf(purposeKey(k, 'device-secret-v1')),
    knownClient: purposeKey(k, 'known-client-v1'),
  };
}
