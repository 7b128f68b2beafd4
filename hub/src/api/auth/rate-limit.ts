import type { Clock } from '../../clock.ts';

/**
 * Counts failures per key (a username, a client address) in fixed windows. Bounded: past
 * `maxEntries` keys the least recently failed is forgotten, so a flood of made-up usernames
 * costs memory once and never grows it; `evicted` says how many were forgotten.
 */
export class FailureLimiter {
  private readonly entries = new Map<string, { count: number; windowStart: number }>();
  evicted = 0;

  constructor(
    private readonly opts: { maxFailures: number; windowMs: number; maxEntries: number },
    private readonly clock: Clock,
  ) {}

  /** ms until `key` may try again; 0 when it may try now. */
  retryAfterMs(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const left = e.windowStart + this.opts.windowMs - this.clock.now();
    if (left <= 0) {
      this.entries.delete(key);
      return 0;
    }
    return e.count >= this.opts.maxFailures ? left : 0;
  }

  fail(key: string): void {
    const now = this.clock.now();
    const e = this.entries.get(key);
    const live = e && now - e.windowStart < this.opts.windowMs;
    this.entries.delete(key); // re-insert: Map order is then least-recently-failed first
    this.entries.set(
      key,
      live ? { count: e.count + 1, windowStart: e.windowStart } : { count: 1, windowStart: now },
    );
    while (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.evicted++;
    }
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
