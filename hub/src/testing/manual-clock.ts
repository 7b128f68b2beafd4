import type { Clock } from '../clock.ts';

/** Event-loop turns given to the work a fired timer started (async store calls, sends, their replies). */
const SETTLE_ROUNDS = 4;

/**
 * A clock for tests: time moves only when the test says so, and due timers fire in time order
 * during `advance()`. Use it anywhere a module takes a `Clock`.
 */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void; every?: number }>();

  constructor(start = Date.UTC(2025, 10, 25, 0, 0, 0)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  setInterval(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(1, ms), fn, every: Math.max(1, ms) });
    return id;
  }
  clearInterval(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time forward by `ms`, firing due timers in order (and intervals as often as they fall due). */
  async advance(ms: number): Promise<void> {
    // What is already queued (a reply to a message sent just now, e.g. a phone's PUBACK) arrives
    // before time moves: in real time it would, long before the next timer.
    await new Promise((r) => setImmediate(r));
    const end = this.t + ms;
    for (;;) {
      const next = [...this.timers.entries()]
        .filter(([, x]) => x.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      const [id, timer] = next;
      this.t = timer.at;
      if (timer.every) timer.at += timer.every;
      else this.timers.delete(id);
      timer.fn();
      // Let what the timer started finish before time moves on: its promise chains, and the I/O
      // callbacks they queue in turn (an escalation step's page, then that page's PUBACK).
      for (let i = 0; i < SETTLE_ROUNDS; i++) await new Promise((r) => setImmediate(r));
    }
    this.t = end;
  }
  /** Sets the time (forward or back) without firing anything: a test replaying timestamped input. */
  set(t: number): void {
    this.t = t;
  }
  pending(): number {
    return this.timers.size;
  }
}
