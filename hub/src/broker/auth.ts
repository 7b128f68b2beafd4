import { createHash } from 'node:crypto';
import type { RegistryStore } from '../registry/store.ts';
import { verifySecret } from '../registry/secrets.ts';
import type { Identity } from './acl.ts';
import { Lru } from '../lru.ts';

/** CONNACK return codes of MQTT 3.1.1 (section 3.2.2.3) that authentication can answer with. */
export const CONNACK = {
  identifierRejected: 2,
  badUsernameOrPassword: 4,
  notAuthorized: 5,
} as const;
export type RefusalCode = (typeof CONNACK)[keyof typeof CONNACK];

export type AuthOutcome =
  | { ok: true; identity: Identity; cached: boolean }
  | { ok: false; returnCode: RefusalCode; reason: string };

export interface ConnectInfo {
  username: string | undefined;
  password: Buffer | undefined;
  /** client id as sent (may be empty) */
  clientId: string;
  clean: boolean;
}

export const authDefaults = {
  cacheEntries: 100_000, // one per device of a whole league (≈100k), ≈20 MB; past it the least recent is verified again
};
export type AuthOptions = Partial<typeof authDefaults>;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('base64url');

/**
 * Devices: username = device id, password = device secret, client id = device id (so a
 * persistent session belongs to one device). People (workers' phones, the dashboard's MQTT):
 * username = login, password = their password; any client id that is not a device's.
 * Successful verifications are cached by id + sha256(password) + stored hash, so a reconnect
 * storm doesn't re-run scrypt, and a changed secret invalidates the entry.
 */
export class Authenticator {
  private readonly cache: Lru<string, string>;

  constructor(
    private readonly registry: RegistryStore,
    options: AuthOptions = {},
  ) {
    this.cache = new Lru({ ...authDefaults, ...options }.cacheEntries);
  }

  get cacheSize(): number {
    return this.cache.size;
  }

  async authenticate(c: ConnectInfo): Promise<AuthOutcome> {
    // [MQTT-3.1.3-8]: a zero-byte client id with CleanSession=0 must be answered with code 2.
    if (c.clientId === '' && !c.clean) {
      return refuse(CONNACK.identifierRejected, 'empty client id with clean session off');
    }
    if (!c.username || !c.password || c.password.length === 0) {
      return refuse(CONNACK.badUsernameOrPassword, 'missing username or password');
    }
    const device = this.registry.getDevice(c.username);
    if (device) {
      const verified = await this.verify(`d:${device.id}`, c.password, device.secretHash);
      if (!verified) return refuse(CONNACK.badUsernameOrPassword, 'wrong device secret');
      if (!device.enabled) return refuse(CONNACK.notAuthorized, 'device is disabled');
      if (c.clientId !== device.id) {
        return refuse(CONNACK.identifierRejected, 'a device must connect with its device id as client id');
      }
      const units = new Set(this.registry.deviceUnitChain(device.id));
      return {
        ok: true,
        identity: { type: 'device', deviceId: device.id, units },
        cached: verified === 'cached',
      };
    }
    const person = this.registry.personByUsername(c.username);
    if (!person) return refuse(CONNACK.badUsernameOrPassword, 'unknown username');
    const verified = await this.verify(`p:${person.id}`, c.password, person.passwordHash);
    if (!verified) return refuse(CONNACK.badUsernameOrPassword, 'wrong password');
    if (c.clientId !== '' && this.registry.getDevice(c.clientId)) {
      return refuse(CONNACK.identifierRejected, "a person may not use a device's client id");
    }
    return {
      ok: true,
      identity: { type: 'person', personId: person.id, username: c.username },
      cached: verified === 'cached',
    };
  }

  private async verify(
    who: string,
    password: Buffer,
    stored: string | null,
  ): Promise<false | 'cached' | 'checked'> {
    if (!stored) return false;
    const key = `${who}:${sha256(password)}`;
    if (this.cache.get(key) === stored) return 'cached';
    if (!(await verifySecret(password.toString('utf8'), stored))) return false;
    this.cache.set(key, stored);
    return 'checked';
  }
}

const refuse = (returnCode: RefusalCode, reason: string): AuthOutcome => ({ ok: false, returnCode, reason });
