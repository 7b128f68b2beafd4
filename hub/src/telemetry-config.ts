import { join } from 'node:path';
import {
  createTelemetryStore,
  createWorkerSqliteTelemetryStore,
  type InfluxTelemetryOptions,
  type SqliteTelemetryOptions,
  type TelemetryStore,
} from './telemetry/index.ts';

/**
 * Which telemetry store the hub writes to. Paths default into the data dir:
 * SQLite `<dataDir>/telemetry.db`, the InfluxDB adapter's spill buffer `<dataDir>/influx-spill.db`.
 * SQLite runs in a worker thread (`thread`, default true; `STEPPELINK_TELEMETRY_THREAD=off` when
 * not given) so its inserts and commits stay off the event loop that acks devices and pages SOS.
 */
export type TelemetryConfig =
  | ({ adapter: 'sqlite'; thread?: boolean } & Partial<SqliteTelemetryOptions>)
  | ({ adapter: 'influx' } & Omit<InfluxTelemetryOptions, 'spillPath'> & { spillPath?: string });

const isStore = (x: unknown): x is TelemetryStore =>
  typeof (x as TelemetryStore | undefined)?.write === 'function' &&
  typeof (x as TelemetryStore).start === 'function';

/** `thread` when given, else STEPPELINK_TELEMETRY_THREAD: on (default) or off. */
function sqliteThread(thread: boolean | undefined, env: Record<string, string | undefined>): boolean {
  if (thread !== undefined) return thread;
  const v = env.STEPPELINK_TELEMETRY_THREAD;
  if (v === undefined || v === '' || v === 'on') return true;
  if (v === 'off') return false;
  throw new Error(
    `STEPPELINK_TELEMETRY_THREAD=${JSON.stringify(v)}: must be on (SQLite telemetry in a worker thread) or off (on the main thread)`,
  );
}

export function openTelemetry(
  config: TelemetryConfig | TelemetryStore | undefined,
  dataDir: string,
  env: Record<string, string | undefined> = process.env,
): TelemetryStore {
  if (isStore(config)) return config;
  const c = config ?? { adapter: 'sqlite' };
  if (c.adapter === 'influx') {
    return createTelemetryStore({ ...c, spillPath: c.spillPath ?? join(dataDir, 'influx-spill.db') });
  }
  const { thread, adapter: _, ...sqlite } = c;
  const options = { ...sqlite, path: c.path ?? join(dataDir, 'telemetry.db') };
  return sqliteThread(thread, env)
    ? createWorkerSqliteTelemetryStore(options)
    : createTelemetryStore({ ...options, adapter: 'sqlite' });
}
