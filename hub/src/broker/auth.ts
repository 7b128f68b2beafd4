import { createHash } from 'node:crypto';
import { type Attempt, AttemptLimiter } from '../auth/attempt-limiter.ts';
import { type AuthGuard, deviceAccount, personAccount } from '../auth/guard.ts';
import { systemClock } from '../clock.ts';
import { Lru } from '../lru.ts';
import { isKeyedHash, keyMismatch, verifyKeyedSecret, verifySecret } from '../registry/secrets.ts';
import type { Registry } from '../registry/registry.ts';
import type { Identity } from './acl.ts';

/** CONNACK return codes of MQTT 3.1.1 (section 3.2.2.3) that authentication can answer with. */
export const CONNACK = {
  identifierRejected: 2,
  /** throttled after failed attempts: "try again later", which every client does with backoff */
  serverUnavailable: 3,
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
  /** the client's address, for the attempt limiter (a device's or phone's usual address is its known client) */
  address: string;
}

export const authDefaults = {
  cacheEntries: 100_000, // one per device of a whole league (≈100k), ≈20 MB; past it the least recent is verified again
};
export type AuthOptions = Partial<typeof authDefaults> & {
  /** the hub's attempt limiter, shared with HTTP sign-in; default: one of its own (tests) */
  guard?: AuthGuard;
  /** A device proved its secret (the hub derives its short-message key from it; see short-message/keys.ts). */
  onDeviceSecret?: (deviceId: string, secret: string) => void;
};

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('base64url');

/**
 * Devices: username = device id, password = device secret, client id = device id (so a
 * persistent session belongs to one device). People (workers' phones, the dashboard's MQTT):
 * username = login, password = their password; any client id that is not a device's.
 *
 * Every credential check first reserves an attempt with the hub's attempt limiter (the same one
 * HTTP sign-in uses): a throttled account or address is answered CONNACK 3 before any check.
 * Device secrets under the hub's key (HMAC) are checked at once; an older scrypt hash is checked
 * once and rewritten as HMAC on success. People's scrypt checks that succeeded are cached by
 * id + sha256(password) + stored hash, so a phone reconnecting doesn't re-run scrypt, and a
 * changed password invalidates the entry.
 */
export class Authenticator {
  private readonly cache: Lru<string, string>;
  readonly guard: AuthGuard | undefined;
  private readonly limiter: AttemptLimiter;
  private readonly onDeviceSecret: AuthOptions['onDeviceSecret'];

  constructor(
    private readonly registry: Registry,
    options: AuthOptions = {},
  ) {
    this.cache = new Lru({ ...authDefaults, ...options }.cacheEntries);
    this.guard = options.guard;
    this.onDeviceSecret = options.onDeviceSecret;
    this.limiter = options.guard?.limiter ?? new AttemptLimiter(systemClock);
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
    const account = device ? deviceAccount(device.id) : personAccount(c.username);
    const attempt = mqttAttemptOf(c, device !== undefined, account);
    const admitted = this.guard ? this.guard.begin('mqtt', attempt) : this.limiter.begin(attempt);
    if (!admitted.ok) {
      return refuse(
        CONNACK.serverUnavailable,
        `throttled after failed attempts (${admitted.bucket}); retry in ${Math.ceil(admitted.retryAfterMs / 1000)} s`,
      );
    }
    const ticket = admitted.ticket;
    let failure = 'check failed';
    try {
      const pending = device ? this.device(device, c) : this.person(c);
      // a device secret under the hub key is checked synchronously: begin and settle in one turn
      const outcome = pending instanceof Promise ? await pending : pending;
      failure = outcome.ok || outcome.returnCode !== CONNACK.badUsernameOrPassword ? '' : outcome.reason;
      return outcome;
    } finally {
      if (failure === '') this.limiter.succeed(ticket);
      else if (this.guard) this.guard.fail('mqtt', ticket, failure);
      else this.limiter.fail(ticket);
    }
  }

  private device(
    device: NonNullable<ReturnType<Registry['getDevice']>>,
    c: ConnectInfo,
  ): AuthOutcome | Promise<AuthOutcome> {
    const stored = device.secretHash;
    if (!stored) return refuse(CONNACK.badUsernameOrPassword, 'device has no secret');
    const secret = c.password!.toString('utf8');
    const accepted = (cached: boolean): AuthOutcome => {
      if (!device.enabled) return refuse(CONNACK.notAuthorized, 'device is disabled');
      if (c.clientId !== device.id) {
        return refuse(CONNACK.identifierRejected, 'a device must connect with its device id as client id');
      }
      const units = new Set(this.registry.deviceUnitChain(device.id));
      try {
        this.onDeviceSecret?.(device.id, secret);
      } catch {
        // a key store that fails must not refuse the device: its SMS path waits for the next connect
      }
      return { ok: true, identity: { type: 'device', deviceId: device.id, units }, cached };
    };
    if (isKeyedHash(stored)) {
      if (verifyKeyedSecret(secret, stored, this.registry.deviceKey)) return accepted(false);
      return refuse(
        CONNACK.badUsernameOrPassword,
        keyMismatch(stored, this.registry.deviceKey)
          ? "wrong device secret (hashed under another hub key: was the data dir's hub.key replaced?)"
          : 'wrong device secret',
      );
    }
    return this.verifyScrypt(`d:${device.id}`, c.password!, stored).then(async (verified) => {
      if (!verified) return refuse(CONNACK.badUsernameOrPassword, 'wrong device secret');
      // migrate: the next connection is checked with the keyed fast hash (a failed write is tried again then)
      if (this.registry.deviceKey)
        await this.registry
          .setDeviceSecretHash(device.id, this.registry.deviceSecretHash(secret))
          .catch(() => false);
      return accepted(verified === 'cached');
    });
  }

  private async person(c: ConnectInfo): Promise<AuthOutcome> {
    const person = this.registry.personByUsername(c.username!);
    if (!person) return refuse(CONNACK.badUsernameOrPassword, 'unknown username');
    const verified = await this.verifyScrypt(`p:${person.id}`, c.password!, person.passwordHash);
    if (!verified) return refuse(CONNACK.badUsernameOrPassword, 'wrong password');
    if (c.clientId !== '' && this.registry.getDevice(c.clientId)) {
      return refuse(CONNACK.identifierRejected, "a person may not use a device's client id");
    }
    return {
      ok: true,
      identity: { type: 'person', personId: person.id, username: c.username! },
      cached: verified === 'cached',
    };
  }

  private async verifyScrypt(
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

/**
 * How a CONNECT's client is recognised as one that proved this account before (OWASP: a
 * known-good client keeps working while someone guesses elsewhere). A device by its usual
 * address (any client may claim a device's id as client id, and a delayed address never keeps a
 * box off, see the limiter). A person's phone by its client id — a per-install id it keeps across
 * carrier addresses, the MQTT counterpart of the browser's known-client cookie — or by an address
 * it connected from before.
 */
export function mqttAttemptOf(c: ConnectInfo, isDevice: boolean, account: string): Attempt {
  if (isDevice) return { account, address: c.address, client: c.address, addressCannotRefuse: true };
  if (c.clientId === '') return { account, address: c.address, client: c.address };
  return { account, address: c.address, client: `id:${c.clientId}`, alsoKnownAs: [c.address] };
}
