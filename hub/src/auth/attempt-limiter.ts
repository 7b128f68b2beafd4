import type { Clock } from '../clock.ts';
import { Lru } from '../lru.ts';
import { backoffStepMs } from '@steppelink/protocols/backoff';

/**
 * One limiter for every credential check the hub makes: HTTP sign-in and MQTT CONNECT, of people
 * and of devices. It follows OWASP's authentication guidance: throttle, never lock out.
 *
 * - An attempt is reserved (`begin`) before the slow check and counted as a failure until it
 *   succeeds, so N parallel guesses are judged as N sequential ones: concurrency cannot multiply
 *   guesses.
 * - Each bucket lets `freeFailures` through, then makes every further attempt wait an exponential
 *   delay (base × 2^k, capped) after the last failure. Nothing is ever refused for good, and a
 *   bucket with no failure for `forgetAfterMs` starts again from zero.
 * - Buckets: the account (username or device id) and the client address, for clients the account
 *   does not know; a known-good client (one that proved the credential before: a browser's
 *   known-client cookie; over MQTT a phone's client id or an address it connected from, a
 *   device's address) has a bucket of its own per account, so an attacker elsewhere — or behind
 *   the same township office address — cannot slow the real person or device down.
 * - A success resets the account's buckets and takes back its reservation on the address.
 *
 * Pure bookkeeping over an injected clock; callers do the I/O (answers, metrics, logs).
 */
export interface ThrottlePolicy {
  /** failures allowed before any delay */
  freeFailures: number;
  /** delay after the first failure past the free ones; doubles with each further failure */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface AttemptLimiterOptions {
  /** per account, from clients it does not know */
  account: ThrottlePolicy;
  /** per client address, across accounts (a township office shares one: generous) */
  address: ThrottlePolicy;
  /** per account and known-good client */
  knownClient: ThrottlePolicy;
  /** a bucket with no failure for this long is forgotten */
  forgetAfterMs: number;
  /** bound of the bucket table; the least recently touched are forgotten first */
  maxEntries: number;
  /** bound of the remembered (account, client) pairs that proved a credential */
  maxKnownClients: number;
}

export const attemptLimiterDefaults: AttemptLimiterOptions = {
  account: { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 }, // a typo costs nothing; a guesser ≤ 4/h at the cap
  address: { freeFailures: 30, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 }, // a whole office's typos fit before any delay
  knownClient: { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 }, // a stolen known-client cookie still guesses slowly
  forgetAfterMs: 24 * 3600_000, // a day without failures clears a bucket
  maxEntries: 100_000, // ≈ 10 MB whatever an attacker sends
  maxKnownClients: 200_000, // a league's devices (≈100k) plus people's browsers and phones
};

export type Bucket = 'account' | 'address' | 'client';
export interface Attempt {
  /** username (lower case) or device id; namespaced by the caller (`user:`, `device:`) */
  account: string;
  /** client address, or 'unknown' */
  address: string;
  /** a stable, unforgeable client key (known-client cookie id; over MQTT a phone's client id, or the address) */
  client?: string;
  /**
   * Other keys the same client may be known by (a phone's address besides its client id): the
   * attempt is known if any of them proved this account before, and a success makes them all
   * known. The bucket is that of the first known one, `client` first.
   */
  alsoKnownAs?: readonly string[];
  /** the caller verified that `client` was issued to this account (a signed known-client cookie) */
  proven?: boolean;
  /**
   * Failures still count against the address, but a delayed address does not refuse this
   * attempt: for devices, whose 256-bit secrets can't be guessed anyway, so an attacker behind a
   * township's address can't keep its boxes (and their SOS) off the hub.
   */
  addressCannotRefuse?: boolean;
}
export interface Ticket {
  readonly attempt: Attempt;
  readonly known: boolean;
  readonly holds: readonly { key: string; bucket: Bucket; epoch: number }[];
  settled: boolean;
}
export type Admission =
  | { ok: true; ticket: Ticket }
  | {
      ok: false;
      retryAfterMs: number;
      bucket: Bucket;
      /** true for the first refusal since the bucket's last failure: log that one, count all */
      first: boolean;
    };

interface Entry {
  bucket: Bucket;
  failures: number;
  lastAt: number;
  epoch: number;
  refused: boolean;
}

export interface ThrottledKey {
  key: string;
  bucket: Bucket;
  failures: number;
  retryAfterMs: number;
}

/** Delay before the next attempt after `failures` failures (0 while within the free ones). */
export function throttleDelayMs(p: ThrottlePolicy, failures: number): number {
  if (failures < p.freeFailures) return 0;
  return backoffStepMs(failures - p.freeFailures + 1, { initialMs: p.baseDelayMs, maxMs: p.maxDelayMs });
}

export class AttemptLimiter {
  readonly o: AttemptLimiterOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly known: Lru<string, true>;
  private nextEpoch = 1;
  /** buckets forgotten to stay within `maxEntries` */
  evicted = 0;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    options: Partial<AttemptLimiterOptions> = {},
  ) {
    this.o = { ...attemptLimiterDefaults, ...options };
    for (const [name, p] of [
      ['account', this.o.account],
      ['address', this.o.address],
      ['knownClient', this.o.knownClient],
    ] as const) {
      if (!(p.freeFailures >= 1) || !(p.baseDelayMs > 0) || !(p.maxDelayMs >= p.baseDelayMs)) {
        throw new RangeError(
          `attempt limiter: ${name} needs freeFailures >= 1 and 0 < baseDelayMs <= maxDelayMs`,
        );
      }
    }
    this.known = new Lru(this.o.maxKnownClients);
  }

  /** Reserve an attempt before checking the credential; refuse it while a bucket is delayed. */
  begin(a: Attempt): Admission {
    const now = this.clock.now();
    const knownAs =
      a.client !== undefined && a.proven === true
        ? a.client
        : clientKeys(a).find((c) => this.known.get(knownKey(a.account, c)) !== undefined);
    const known = knownAs !== undefined;
    const keys: [string, Bucket][] = known
      ? [[`k:${knownKey(a.account, knownAs)}`, 'client']]
      : [
          [`a:${a.account}`, 'account'],
          [`i:${a.address}`, 'address'],
        ];
    let refusal: Extract<Admission, { ok: false }> | undefined;
    for (const [key, bucket] of keys) {
      if (bucket === 'address' && a.addressCannotRefuse) continue;
      const e = this.live(key, now);
      const wait = e ? e.lastAt + throttleDelayMs(this.policy(bucket), e.failures) - now : 0;
      if (wait > 0 && (!refusal || wait > refusal.retryAfterMs)) {
        refusal = { ok: false, retryAfterMs: wait, bucket, first: !e!.refused };
        e!.refused = true;
      }
    }
    if (refusal) return refusal;
    const holds = keys.map(([key, bucket]) => {
      const e = this.count(key, bucket, now);
      return { key, bucket, epoch: e.epoch };
    });
    return { ok: true, ticket: { attempt: a, known, holds, settled: false } };
  }

  /** The credential was right: the account's buckets start again, the client becomes known. */
  succeed(t: Ticket): void {
    if (t.settled) return;
    t.settled = true;
    for (const h of t.holds) {
      const e = this.entries.get(h.key);
      if (h.bucket !== 'address') this.entries.delete(h.key);
      else if (e && e.epoch === h.epoch) {
        e.failures--;
        if (e.failures <= 0) this.entries.delete(h.key);
      }
    }
    for (const c of clientKeys(t.attempt)) this.known.set(knownKey(t.attempt.account, c), true);
  }

  /** The credential was wrong: the reservation stays as a failure (counted again if reset meanwhile). */
  fail(t: Ticket): void {
    if (t.settled) return;
    t.settled = true;
    const now = this.clock.now();
    for (const h of t.holds) {
      const e = this.entries.get(h.key);
      if (e && e.epoch === h.epoch) {
        e.lastAt = Math.max(e.lastAt, now);
        e.refused = false;
      } else this.count(h.key, h.bucket, now);
    }
  }

  /** Operator's unblock: forgets the buckets of an account (all its clients) or an address. */
  unblock(target: { account?: string; address?: string }): number {
    let n = 0;
    for (const key of [...this.entries.keys()]) {
      const hit =
        (target.account !== undefined &&
          (key === `a:${target.account}` || key.startsWith(`k:${target.account}\u0000`))) ||
        (target.address !== undefined && key === `i:${target.address}`);
      if (hit) {
        this.entries.delete(key);
        n++;
      }
    }
    return n;
  }

  /** Buckets that delay their next attempt now, longest wait first. */
  throttled(): ThrottledKey[] {
    const now = this.clock.now();
    const out: ThrottledKey[] = [];
    for (const [key, e] of this.entries) {
      const wait = e.lastAt + throttleDelayMs(this.policy(e.bucket), e.failures) - now;
      if (wait > 0 && now - e.lastAt < this.o.forgetAfterMs) {
        out.push({
          key: key.slice(2).replace('\u0000', ' '),
          bucket: e.bucket,
          failures: e.failures,
          retryAfterMs: wait,
        });
      }
    }
    return out.sort((x, y) => y.retryAfterMs - x.retryAfterMs);
  }

  get size(): number {
    return this.entries.size;
  }

  private policy(b: Bucket): ThrottlePolicy {
    return b === 'account' ? this.o.account : b === 'address' ? this.o.address : this.o.knownClient;
  }

  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && now - e.lastAt >= this.o.forgetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private count(key: string, bucket: Bucket, now: number): Entry {
    const e = this.live(key, now) ?? {
      bucket,
      failures: 0,
      lastAt: now,
      epoch: this.nextEpoch++,
      refused: false,
    };
    e.failures++;
    e.lastAt = Math.max(e.lastAt, now);
    e.refused = false;
    this.entries.delete(key); // re-insert: Map order is then least recently touched first
    this.entries.set(key, e);
    while (this.entries.size > this.o.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
      this.evicted++;
    }
    return e;
  }
}

const knownKey = (account: string, client: string) => `${account}\u0000${client}`;
const clientKeys = (a: Attempt): string[] => [
  ...(a.client !== undefined ? [a.client] : []),
  ...(a.alsoKnownAs ?? []),
];
