import { join } from 'node:path';
import {
  createTelemetryStore,
  type InfluxTelemetryOptions,
  type SqliteTelemetryOptions,
  type TelemetryStore,
} from './telemetry/index.ts';

/**
 * Which telemetry store the hub writes to. Paths default into the data dir:
 * SQLite `<dataDir>/telemetry.db`, the InfluxDB adapter's spill buffer `<dataDir>/influx-spill.db`.
 */
export type TelemetryConfig =
  | ({ adapter: 'sqlite' } & Partial<SqliteTelemetryOptions>)
  | ({ adapter: 'influx' } & Omit<InfluxTelemetryOptions, 'spillPath'> & { spillPath?: string });

const isStore = (x: unknown): x is TelemetryStore =>
  typeof (x as TelemetryStore | undefined)?.write === 'function' &&
  typeof (x as TelemetryStore).start === 'function';

export function openTelemetry(
  config: TelemetryConfig | TelemetryStore | undefined,
  dataDir: string,
): TelemetryStore {
  if (isStore(config)) return config;
  const c = config ?? { adapter: 'sqlite' };
  if (c.adapter === 'influx') {
    return createTelemetryStore({ ...c, spillPath: c.spillPath ?? join(dataDir, 'influx-spill.db') });
  }
  return createTelemetryStore({ ...c, path: c.path ?? join(dataDir, 'telemetry.db') });
}
