import type { Clock } from '../clock.ts';

/** setTimeout takes at most 2^31-1 ms; a later deadline is re-checked when this fires. */
const MAX_DELAY_MS = 2_147_483_647;

/**
 * One timer for the earliest due time of a table (escalations, delivery retries). `armAt`
 * keeps the earlier of the current and the new time; on firing, the owner runs its due work
 * and arms again with the next earliest time from the database.
 */
export class DueTimer {
  private handle: unknown = null;
  private at: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly fire: () => void,
  ) {}

  armAt(at: number | null): void {
    if (at === null) return;
    if (this.handle !== null && this.at !== null && this.at <= at) return;
    this.cancel();
    this.at = at;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, at - this.clock.now()));
    this.handle = this.clock.setTimeout(() => {
      this.handle = null;
      this.at = null;
      this.fire();
    }, delay);
  }

  cancel(): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
    this.at = null;
  }

  get armedAt(): number | null {
    return this.at;
  }
}
