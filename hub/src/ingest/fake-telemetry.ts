import type { TelemetryBatch, TelemetryStore, TelemetryStoreHealth } from '../telemetry/port.ts';

/** An in-memory TelemetryStore for ingest tests: records batches; `failNext(n)` makes the next n writes reject. */
export class FakeTelemetry implements TelemetryStore {
  batches: TelemetryBatch[] = [];
  private failures = 0;
  written = 0;

  failNext(n: number): void {
    this.failures = n;
  }
  async start(): Promise<void> {}
  async write(batch: TelemetryBatch): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('disk I/O error (test)');
    }
    this.batches.push(batch);
    this.written +=
      (batch.positions?.length ?? 0) + (batch.health?.length ?? 0) + (batch.grazing?.length ?? 0);
  }
  async track() {
    return [];
  }
  async latestPositions() {
    return [];
  }
  async latestHealth() {
    return [];
  }
  async grazing() {
    return [];
  }
  async applyRetention() {
    return { deleted: 0 };
  }
  health(): TelemetryStoreHealth {
    return { adapter: 'sqlite', state: 'up', buffered: 0, spilled: 0, dropped: 0, written: this.written };
  }
  async close() {
    return { unwritten: 0 };
  }
}
