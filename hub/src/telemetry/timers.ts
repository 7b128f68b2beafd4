/** Injectable timers, so retry and flush logic is tested with a manual clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A sleep that can be cut short (at close), one at a time. */
export function createSleeper(timers: Timers) {
  let wake: (() => void) | undefined;
  return {
    sleep(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const h = timers.setTimeout(() => {
          wake = undefined;
          resolve();
        }, ms);
        wake = () => {
          timers.clearTimeout(h);
          wake = undefined;
          resolve();
        };
      });
    },
    wake(): void {
      wake?.();
    },
  };
}
