/** Event-loop turns given to the work a fired timer started (async store calls, sends, their replies). */
const SETTLE_ROUNDS = 4;

interface Timer {
  at: number;
  order: number;
  fn: () => void;
  every?: number;
}

/**
 * The one test clock of the product: time moves only when the test says so and due timers fire in
 * time order (ties in the order they were set). Handles are opaque objects. Use `ManualClock`
 * (async `advance`) for the hub, whose timers start async work; `ManualTime` (sync `advance`) for
 * the edge agent, whose timers do their work synchronously.
 */
abstract class ManualTimers {
  #now: number;
  #order = 0;
  readonly #timers = new Set<Timer>();

  constructor(start = Date.UTC(2025, 10, 25, 0, 0, 0)) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): Timer {
    const t: Timer = { at: this.#now + Math.max(0, ms), order: this.#order++, fn };
    this.#timers.add(t);
    return t;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as Timer);
  }
  setInterval(fn: () => void, ms: number): Timer {
    const every = Math.max(1, ms);
    const t: Timer = { at: this.#now + every, order: this.#order++, fn, every };
    this.#timers.add(t);
    return t;
  }
  clearInterval(handle: unknown): void {
    this.#timers.delete(handle as Timer);
  }
  /** Sets the time (forward or back) without firing anything: a test replaying timestamped input. */
  set(t: number): void {
    this.#now = t;
  }
  /** Timers waiting. */
  get pending(): number {
    return this.#timers.size;
  }
  /** Delay until the next timer fires, or undefined. */
  nextDelay(): number | undefined {
    const next = this.#next(Number.POSITIVE_INFINITY);
    return next && next.at - this.#now;
  }
  /** Fires the earliest timer due by `end`, moving time to it; false when none is due. */
  protected fireNext(end: number): boolean {
    const next = this.#next(end);
    if (!next) return false;
    this.#now = Math.max(this.#now, next.at);
    if (next.every) next.at += next.every;
    else this.#timers.delete(next);
    next.fn();
    return true;
  }
  protected moveTo(end: number): void {
    this.#now = Math.max(this.#now, end);
  }
  #next(end: number): Timer | undefined {
    let next: Timer | undefined;
    for (const t of this.#timers) {
      if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.order < next.order))) next = t;
    }
    return next;
  }
}

/** A manual clock whose `advance` lets what each timer started settle before time moves on. */
export class ManualClock extends ManualTimers {
  /** Moves time forward by `ms`, firing due timers in order (intervals as often as they fall due). */
  async advance(ms: number): Promise<void> {
    // What is already queued (a reply to a message sent just now, e.g. a phone's PUBACK) arrives
    // before time moves: in real time it would, long before the next timer.
    await new Promise((r) => setImmediate(r));
    const end = this.now() + ms;
    while (this.fireNext(end)) {
      // Let what the timer started finish before time moves on: its promise chains, and the I/O
      // callbacks they queue in turn (an escalation step's page, then that page's PUBACK).
      for (let i = 0; i < SETTLE_ROUNDS; i++) await new Promise((r) => setImmediate(r));
    }
    this.moveTo(end);
  }
}

/** A manual clock whose `advance` fires due timers synchronously (the edge agent's timers). */
export class ManualTime extends ManualTimers {
  advance(ms: number): void {
    const end = this.now() + ms;
    while (this.fireNext(end)) {}
    this.moveTo(end);
  }
}
