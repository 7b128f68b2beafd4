import { EDGE_DEFAULTS } from './defaults.ts';

/** Wall clock, injectable so tests (and the simulator) control time. */
export interface Clock {
  now(): number;
}

export type TimerHandle = { readonly __timer: unique symbol } | object;

/** Timers, injectable for the same reason. Handles are opaque. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The clock the agent trusts to resolve GNSS dates: the system clock, never before the agent's build. */
export const trustedClock =
  (clock: Clock): (() => number) =>
  () =>
    Math.max(clock.now(), EDGE_DEFAULTS.trustedClockFloorMs);

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => {
    if (h !== undefined) clearTimeout(h as ReturnType<typeof setTimeout>);
  },
};

/** Samples further than this from the median are outliers (a GPS time from the wrong day, week or era). */
const AGREE_MS = 2_000;

/** Epoch-ms bounds the protocol accepts (see protocols epochMsSchema). */
const MIN_EPOCH_MS = 978_307_200_000;
const MAX_EPOCH_MS = 4_102_444_800_000;

/**
 * Source of message timestamps. A Pi has no RTC: until NTP or GPS sets it, the clock may be
 * far off. GPS time (gpsd TPV `time`) gives an offset estimate: local minus GPS, taken as the
 * smallest of the last few samples because serial and gpsd delays only ever make local later —
 * but only among the samples that agree with their median, so one wrong GPS time (a receiver's
 * bad date) cannot move the clock. When an offset is known, `now()` is corrected by it;
 * `offsetMs()` is reported in heartbeats.
 */
export class TimeSource {
  readonly #clock: Clock;
  readonly #samples: number[] = [];
  readonly #maxSamples: number;

  constructor(clock: Clock, maxSamples: number = EDGE_DEFAULTS.clockSamples) {
    this.#clock = clock;
    this.#maxSamples = Math.max(1, maxSamples);
  }

  /** Records one GPS time observation: `gpsMs` is the fix time, read at local time `localMs`. */
  observeGps(gpsMs: number, localMs: number = this.#clock.now()): void {
    if (!Number.isFinite(gpsMs) || gpsMs < MIN_EPOCH_MS || gpsMs > MAX_EPOCH_MS) return;
    this.#samples.push(localMs - gpsMs);
    if (this.#samples.length > this.#maxSamples) this.#samples.shift();
  }

  /** Device clock minus GPS time in ms, or undefined before any GPS time was seen. */
  offsetMs(): number | undefined {
    if (this.#samples.length === 0) return undefined;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
    const agreeing = sorted.filter((x) => Math.abs(x - median) <= AGREE_MS);
    return Math.round(Math.min(...agreeing));
  }

  /** Raw device clock. */
  localNow(): number {
    return this.#clock.now();
  }

  /** Best estimate of true time, clamped into the range the protocol accepts. */
  now(): number {
    const raw = this.#clock.now() - (this.offsetMs() ?? 0);
    return Math.min(MAX_EPOCH_MS, Math.max(MIN_EPOCH_MS, Math.round(raw)));
  }
}
