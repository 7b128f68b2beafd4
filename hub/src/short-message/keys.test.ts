import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shortMessageKey } from '@steppelink/protocols/short-message';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../state/db.ts';
import { MessageKeys } from './keys.ts';

describe('device message keys', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const db = () => {
    const d = mkdtempSync(join(tmpdir(), 'sl-keys-'));
    dirs.push(d);
    return openDatabase(join(d, 'state.db'));
  };

  it('keeps the key of the secret a device proved, sealed: a copy of state.db without hub.key gives nothing', () => {
    const state = db();
    const hubKey = randomBytes(32);
    const keys = new MessageKeys(state, hubKey);
    expect(keys.get('stb-1')).toBeUndefined();
    keys.learn('stb-1', 'secret-one');
    expect(keys.get('stb-1')?.equals(shortMessageKey('secret-one'))).toBe(true);
    const sealed = state.prepare('SELECT sealed FROM device_message_keys').pluck().get() as Buffer;
    expect(sealed.includes(shortMessageKey('secret-one'))).toBe(false);
    expect(new MessageKeys(state, randomBytes(32)).get('stb-1')).toBeUndefined();
    // a rotated secret replaces the key at the device's next connection
    keys.learn('stb-1', 'secret-two');
    expect(new MessageKeys(state, hubKey).get('stb-1')?.equals(shortMessageKey('secret-two'))).toBe(true);
    // a row moved to another device does not open under that device's id (the id is sealed with it)
    state.prepare("UPDATE device_message_keys SET device_id = 'stb-2'").run();
    expect(keys.get('stb-2')).toBeUndefined();
  });

  it('writes nothing when a device reconnects with the same secret', () => {
    const state = db();
    const keys = new MessageKeys(state, randomBytes(32));
    keys.learn('stb-1', 's', 1_000);
    keys.learn('stb-1', 's', 2_000);
    expect(state.prepare('SELECT updated_at FROM device_message_keys').pluck().get()).toBe(1_000);
  });
});
