import { join } from 'node:path';
import { createSqliteTelemetryStore, type SqliteTelemetryOptions } from './telemetry/sqlite.ts';
import type { TelemetryStore } from './telemetry/port.ts';

/** Which telemetry store the hub writes to. `path` defaults to `<dataDir>/telemetry.db`. */
export type TelemetryConfig = { adapter: 'sqlite' } & Partial<SqliteTelemetryOptions>;

const isStore = (x: unknown): x is TelemetryStore =>
  typeof (x as TelemetryStore | undefined)?.write === 'function' &&
  typeof (x as TelemetryStore).start === 'function';

export function openTelemetry(
  config: TelemetryConfig | TelemetryStore | undefined,
  dataDir: string,
): TelemetryStore {
  if (isStore(config)) return config;
  const c = config ?? { adapter: 'sqlite' };
  return createSqliteTelemetryStore({ ...c, path: c.path ?? join(dataDir, 'telemetry.db') });
}
