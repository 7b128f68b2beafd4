import type { Clock } from './clock.ts';

/**
 * Byte budget for telemetry on a metered link: a token bucket that holds one minute's budget
 * and refills continuously. Telemetry waits for tokens; SOS, receipts and heartbeats are never
 * held back but still spend tokens (down to minus one minute's budget), so the total stays near
 * the budget. A message bigger than the whole budget goes when the bucket is full.
 */
export class ByteBudget {
  readonly #clock: Clock;
  #perMin: number | null;
  #tokens: number;
  #at: number;

  constructor(clock: Clock, bytesPerMin: number | null) {
    this.#clock = clock;
    this.#perMin = bytesPerMin;
    this.#tokens = bytesPerMin ?? 0;
    this.#at = clock.now();
  }

  get bytesPerMin(): number | null {
    return this.#perMin;
  }

  /** Changes the budget (config downlink); null removes it. */
  setBytesPerMin(bytesPerMin: number | null): void {
    this.#refill();
    const wasUnlimited = this.#perMin === null;
    this.#perMin = bytesPerMin;
    if (bytesPerMin !== null) this.#tokens = wasUnlimited ? bytesPerMin : Math.min(this.#tokens, bytesPerMin);
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#at);
    this.#at = now;
    if (this.#perMin !== null)
      this.#tokens = Math.min(this.#perMin, this.#tokens + (elapsed * this.#perMin) / 60_000);
  }

  /** Milliseconds until telemetry of `bytes` may go; 0 = now. */
  waitMs(bytes: number): number {
    if (this.#perMin === null) return 0;
    this.#refill();
    const need = Math.min(bytes, this.#perMin);
    if (this.#tokens >= need) return 0;
    return Math.ceil(((need - this.#tokens) * 60_000) / this.#perMin);
  }

  /** Spends tokens for a message that is being sent. */
  spend(bytes: number): void {
    if (this.#perMin === null) return;
    this.#refill();
    this.#tokens = Math.max(-this.#perMin, this.#tokens - bytes);
  }
}
