import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, deviceSecret, SMALL_LEAGUE } from '../registry/fixture.ts';
import { deviceKeyOf, hashDeviceSecret, hashSecret } from '../registry/secrets.ts';
import type { Registry } from '../registry/registry.ts';
import { openSqliteRegistry } from '../registry/sqlite-store.ts';
import { type Db, openDatabase } from '../state/db.ts';
import { Authenticator, type ConnectInfo } from './auth.ts';

const BOX = 'stb-150824-104-0007';
const login = (username: string, password: string, clientId = username, clean = true): ConnectInfo => ({
  username,
  password: Buffer.from(password),
  clientId,
  clean,
  address: '127.0.0.1',
});

describe('Authenticator', () => {
  let db: Db;
  let registry: Registry;
  beforeEach(async () => {
    db = openDatabase(':memory:');
    registry = openSqliteRegistry(db);
    await registry.importDocument(SMALL_LEAGUE);
  });
  afterEach(() => db.close());

  it('identifies a device with the units whose notices it may read', async () => {
    const r = await new Authenticator(registry).authenticate(login(BOX, deviceSecret(BOX)));
    expect(r.ok && r.identity).toMatchObject({ type: 'device', deviceId: BOX });
    expect(r.ok && r.identity.type === 'device' && [...r.identity.units]).toEqual([
      '150824-104-007-03',
      '150824-104-007',
      '150824-104',
      '150824',
      '150800',
    ]);
  });

  it('verifies a secret once, then answers from the cache until the secret changes', async () => {
    const auth = new Authenticator(registry);
    const first = await auth.authenticate(login(BOX, deviceSecret(BOX)));
    const second = await auth.authenticate(login(BOX, deviceSecret(BOX)));
    expect(first.ok && first.cached).toBe(false);
    expect(second.ok && second.cached).toBe(true);
    await registry.setDeviceSecretHash(BOX, hashSecret('a-fresh-secret-after-the-box-was-repaired'));
    expect((await auth.authenticate(login(BOX, deviceSecret(BOX)))).ok).toBe(false);
    expect((await auth.authenticate(login(BOX, 'a-fresh-secret-after-the-box-was-repaired'))).ok).toBe(true);
  });

  it('never caches a wrong secret, and keeps the cache within its bound', async () => {
    const auth = new Authenticator(registry, { cacheEntries: 2 });
    expect((await auth.authenticate(login(BOX, 'wrong'))).ok).toBe(false);
    expect(auth.cacheSize).toBe(0);
    for (const id of [BOX, 'stb-150824-104-0008', 'trk-patrol-150825-03']) {
      expect((await auth.authenticate(login(id, deviceSecret(id)))).ok).toBe(true);
    }
    expect(auth.cacheSize).toBe(2);
  });

  it('answers each refusal with its CONNACK code', async () => {
    const auth = new Authenticator(registry);
    const code = async (c: ConnectInfo) => {
      const r = await auth.authenticate(c);
      return r.ok ? 0 : r.returnCode;
    };
    expect(await code(login(BOX, deviceSecret(BOX), '', false))).toBe(2);
    expect(await code(login(BOX, deviceSecret(BOX), 'stb-150824-104-0008'))).toBe(2);
    expect(
      await code({ username: BOX, password: undefined, clientId: BOX, clean: true, address: '127.0.0.1' }),
    ).toBe(4);
    expect(await code(login('stb-unknown-0001', 'x'))).toBe(4);
    expect(await code(login('stb-disabled-0001', deviceSecret('stb-disabled-0001')))).toBe(5);
    expect(await code(login('bater', DEMO_PASSWORD, 'p-bater:phone'))).toBe(0);
    expect(await code(login('bater', DEMO_PASSWORD, BOX))).toBe(2);
    expect(await code(login('bater', 'wrong', 'p-bater:phone'))).toBe(4);
  });

  it('checks device secrets under the hub key, and migrates a scrypt hash on the next good connection', async () => {
    const key = deviceKeyOf(Buffer.alloc(32, 7));
    const keyed = openSqliteRegistry(db, { deviceKey: key });
    const legacy = hashSecret(deviceSecret(BOX), 'device');
    await keyed.setDeviceSecretHash(BOX, legacy);
    const auth = new Authenticator(keyed);
    expect((await auth.authenticate(login(BOX, 'wrong'))).ok).toBe(false);
    expect(keyed.getDevice(BOX)?.secretHash).toBe(legacy); // a failure changes nothing
    expect((await auth.authenticate(login(BOX, deviceSecret(BOX)))).ok).toBe(true);
    const migrated = keyed.getDevice(BOX)?.secretHash ?? '';
    expect(migrated).toMatch(/^hmac-sha256\$/);
    expect((await auth.authenticate(login(BOX, deviceSecret(BOX)))).ok).toBe(true);
    expect((await auth.authenticate(login(BOX, 'wrong'))).ok).toBe(false);
    // a hash made under another key (hub.key replaced) refuses, and says why
    await keyed.setDeviceSecretHash(
      BOX,
      hashDeviceSecret(deviceSecret(BOX), deviceKeyOf(Buffer.alloc(32, 8))),
    );
    const r = await auth.authenticate(login(BOX, deviceSecret(BOX)));
    expect(!r.ok && r.reason).toMatch(/another hub key/);
  });

  it('imports plain device secrets as keyed hashes and keeps them on a re-import', async () => {
    const key = deviceKeyOf(Buffer.alloc(32, 9));
    const db2 = openDatabase(':memory:');
    try {
      const keyed = openSqliteRegistry(db2, { deviceKey: key });
      await keyed.importDocument(SMALL_LEAGUE);
      const first = keyed.getDevice(BOX)?.secretHash;
      expect(first).toMatch(/^hmac-sha256\$/);
      await keyed.importDocument(SMALL_LEAGUE);
      expect(keyed.getDevice(BOX)?.secretHash).toBe(first);
    } finally {
      db2.close();
    }
  });
});
