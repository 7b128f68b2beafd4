export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": the n-th delay is uniform in [cap/2, cap] with
 * cap = min(maxMs, initialMs·2ⁿ). Half the cap is kept so a fleet of boxes that lost the hub at
 * the same moment (a power cut in a sumu) spreads out instead of reconnecting in one burst.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number): number {
  const cap = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(cap / 2 + (r * cap) / 2);
}
