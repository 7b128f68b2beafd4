import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import type { Admission, Attempt, AttemptLimiter, Ticket } from './attempt-limiter.ts';

export type AuthVia = 'http' | 'mqtt';
export type RefusalReason = 'bad_credentials' | 'throttled';

/**
 * The attempt limiter with its I/O: every refusal counted in
 * `steppelink_auth_refused_total{via, reason}` and logged — account, address and bucket, never
 * a password or secret. A throttled bucket is logged once per failure (an attacker hammering a
 * delayed bucket is counted, not written to the log line by line).
 */
export class AuthGuard {
  private readonly refusedTotal: Counter<'via' | 'reason'>;

  constructor(
    readonly limiter: AttemptLimiter,
    registry: Registry,
    private readonly log: Logger,
  ) {
    this.refusedTotal = reuse(
      registry,
      'steppelink_auth_refused_total',
      () =>
        new Counter({
          name: 'steppelink_auth_refused_total',
          help: 'Credential checks refused (HTTP sign-in and MQTT CONNECT), by reason: bad_credentials or throttled',
          labelNames: ['via', 'reason'] as const,
          registers: [registry],
        }),
    );
    if (!registry.getSingleMetric('steppelink_auth_throttled_buckets')) {
      new Gauge({
        name: 'steppelink_auth_throttled_buckets',
        help: 'Accounts, addresses and known clients whose next sign-in or CONNECT must wait now',
        labelNames: ['bucket'] as const,
        registers: [registry],
        collect() {
          const n = { account: 0, address: 0, client: 0 };
          for (const k of limiter.throttled()) n[k.bucket]++;
          for (const [bucket, v] of Object.entries(n)) this.set({ bucket }, v);
        },
      });
    }
  }

  /** Reserves an attempt; a refusal is counted and (once per failure) logged. */
  begin(via: AuthVia, a: Attempt): Admission {
    const r = this.limiter.begin(a);
    if (!r.ok) {
      this.refusedTotal.inc({ via, reason: 'throttled' });
      if (r.first) {
        this.log.warn(
          { via, account: a.account, address: a.address, bucket: r.bucket, retryAfterMs: r.retryAfterMs },
          'sign-in throttled: too many failed attempts',
        );
      }
    }
    return r;
  }

  succeed(t: Ticket): void {
    this.limiter.succeed(t);
  }

  fail(via: AuthVia, t: Ticket, detail: string): void {
    this.limiter.fail(t);
    this.refusedTotal.inc({ via, reason: 'bad_credentials' });
    this.log.info({ via, account: t.attempt.account, address: t.attempt.address, detail }, 'sign-in refused');
  }
}

/** One spelling per address: `::ffff:10.0.0.1` (IPv4 on a dual-stack socket) is `10.0.0.1`. */
export function normalizeAddress(a: string | undefined): string {
  if (!a) return 'unknown';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** The limiter's account key: people by login (case-insensitive, as sign-in looks them up), devices by id. */
export const personAccount = (username: string) => `user:${username.toLowerCase()}`;
export const deviceAccount = (deviceId: string) => `device:${deviceId}`;

function reuse<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}
