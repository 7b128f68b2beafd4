import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hubKeys, loadServerKey, SERVER_KEY_FILE } from './server-key.ts';

describe('hub key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sl-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is made once (0600) and read back the same, so hashes made before a restart still verify', () => {
    const a = hubKeys(dir);
    expect(statSync(join(dir, SERVER_KEY_FILE)).mode & 0o777).toBe(0o600);
    const b = hubKeys(dir);
    expect(b.device.id).toBe(a.device.id);
    expect(b.knownClient.equals(a.knownClient)).toBe(true);
    expect(a.device.key.equals(a.knownClient)).toBe(false); // one key per purpose
  });

  it('refuses a key file that is too short, naming the fix', () => {
    writeFileSync(join(dir, SERVER_KEY_FILE), 'c2hvcnQ\n');
    expect(() => loadServerKey(join(dir, SERVER_KEY_FILE))).toThrow(/at least 32 bytes/);
  });
});
