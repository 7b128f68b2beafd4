/**
 * The one exponential backoff of the product: the edge's reconnects and gpsd retries, the hub's
 * InfluxDB writes, page deliveries and sign-in throttling, the dashboard's live-stream reconnects.
 *
 * The step of retry `attempt` (1 = the first retry) is `min(maxMs, initialMs · factor^(attempt−1))`.
 * With the default jitter 0.5 ("equal jitter") the delay is uniform in [step/2, step]: never zero,
 * and a fleet that lost its peer at the same moment (a power cut in a sumu) spreads out instead of
 * retrying in step. `jitter: 0` gives the bare step (a throttle an attacker must sit out in full).
 */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** growth per attempt (default 2: doubling) */
  factor?: number;
  /** share of the step that is random, 0..1 (default 0.5) */
  jitter?: number;
}

export function backoffStepMs(attempt: number, b: Backoff): number {
  const n = Math.min(64, Math.max(0, attempt - 1));
  return Math.min(b.maxMs, b.initialMs * (b.factor ?? 2) ** n);
}

/** The delay before retry `attempt`; `random` returns a number in [0, 1] (1: the whole step). */
export function backoffDelayMs(attempt: number, b: Backoff, random: () => number): number {
  const jitter = Math.min(1, Math.max(0, b.jitter ?? 0.5));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(backoffStepMs(attempt, b) * (1 - jitter + jitter * r));
}

/** A server's Retry-After as a floor under a backoff delay, itself capped at `capMs`. */
export function withRetryAfter(delayMs: number, retryAfterMs: number | undefined, capMs: number): number {
  return retryAfterMs === undefined ? delayMs : Math.max(delayMs, Math.min(capMs, retryAfterMs));
}
