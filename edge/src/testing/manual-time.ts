import type { Clock, TimerHandle, Timers } from '../clock.ts';

interface Pending {
  at: number;
  order: number;
  fn: () => void;
}

/** A clock and timers that move only when told to: `advance(ms)` runs due timers in time order. */
export class ManualTime implements Clock, Timers {
  #now: number;
  #order = 0;
  readonly #pending = new Set<Pending>();

  constructor(startMs = 1_764_028_800_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const p: Pending = { at: this.#now + Math.max(0, ms), order: this.#order++, fn };
    this.#pending.add(p);
    return p;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.#pending.delete(handle as Pending);
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Delay until the next timer fires, or undefined. */
  nextDelay(): number | undefined {
    let min: number | undefined;
    for (const p of this.#pending) min = min === undefined ? p.at : Math.min(min, p.at);
    return min === undefined ? undefined : min - this.#now;
  }

  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.#pending) {
        if (p.at <= until && (!next || p.at < next.at || (p.at === next.at && p.order < next.order)))
          next = p;
      }
      if (!next) break;
      this.#pending.delete(next);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = until;
  }
}
