import {
  createInfluxTelemetryStore,
  type InfluxTelemetryOptions,
  type InfluxTelemetryStore,
} from './influx.ts';
import type { TelemetryStore } from './port.ts';
import { createSqliteTelemetryStore, type SqliteTelemetryOptions } from './sqlite.ts';

export type { InfluxCloseReport, InfluxTelemetryOptions, InfluxTelemetryStore } from './influx.ts';
export { createInfluxTelemetryStore, influxTelemetryDefaults } from './influx.ts';
export * from './port.ts';
export type { SqliteTelemetryOptions } from './sqlite.ts';
export { createSqliteTelemetryStore, sqliteTelemetryDefaults } from './sqlite.ts';
export { createWorkerSqliteTelemetryStore } from './sqlite-worker.ts';

export type TelemetryStoreOptions =
  | ({ adapter: 'sqlite' } & SqliteTelemetryOptions)
  | ({ adapter: 'influx' } & InfluxTelemetryOptions);

/**
 * The telemetry store the hub runs on: `sqlite` (embedded default, e.g. path
 * `<dataDir>/telemetry.db`) or `influx` (url + spillPath `<dataDir>/influx-spill.db`).
 * Call start() before use and close() at shutdown.
 */
export function createTelemetryStore(options: { adapter: 'sqlite' } & SqliteTelemetryOptions): TelemetryStore;
export function createTelemetryStore(
  options: { adapter: 'influx' } & InfluxTelemetryOptions,
): InfluxTelemetryStore;
export function createTelemetryStore(options: TelemetryStoreOptions): TelemetryStore;
export function createTelemetryStore(options: TelemetryStoreOptions): TelemetryStore {
  switch (options.adapter) {
    case 'sqlite': {
      const { adapter: _, ...rest } = options;
      return createSqliteTelemetryStore(rest);
    }
    case 'influx': {
      const { adapter: _, ...rest } = options;
      return createInfluxTelemetryStore(rest);
    }
    default:
      throw new Error(
        `createTelemetryStore: unknown adapter ${JSON.stringify((options as { adapter?: unknown }).adapter)}; pass adapter 'sqlite' (with path) or 'influx' (with url and spillPath)`,
      );
  }
}
