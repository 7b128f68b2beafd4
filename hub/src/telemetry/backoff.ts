import { backoffDelayMs as delayMs, withRetryAfter } from '@steppelink/protocols/backoff';

/** Exponential backoff with jitter, reset by the caller on success (attempt counts from 1). */
export interface BackoffOptions {
  minDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** share of the delay that is random: 0.5 → between half and the full delay */
  jitterRatio: number;
  /** a server's Retry-After is honoured up to this */
  maxRetryAfterMs: number;
}

export const backoffDefaults: BackoffOptions = {
  minDelayMs: 250, // first retry soon: most InfluxDB hiccups are a restart or a compaction pause
  maxDelayMs: 30_000, // an outage is probed at least every 30 s
  factor: 2, // doubling
  jitterRatio: 0.5, // banner hubs restarting together don't hammer a league InfluxDB in step
  maxRetryAfterMs: 10 * 60_000, // a Retry-After beyond 10 min is taken as 10 min
};

/** The product's one backoff (protocols/backoff) with a server's Retry-After as a floor, capped. */
export function backoffDelayMs(
  attempt: number,
  o: BackoffOptions,
  random: () => number,
  retryAfterMs?: number,
): number {
  const b = { initialMs: o.minDelayMs, maxMs: o.maxDelayMs, factor: o.factor, jitter: o.jitterRatio };
  return withRetryAfter(delayMs(attempt, b, random), retryAfterMs, o.maxRetryAfterMs);
}
