/** Structured logging port. The CLI writes JSON lines; tests and the simulator pass silentLogger. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const noop = (): void => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** One JSON object per line: `{"t":…,"level":"info","msg":"…",…fields}`. */
export function createJsonLogger(
  write: (line: string) => void,
  level: LogLevel = 'info',
  now: () => number = Date.now,
): Logger {
  const min = RANK[level];
  const log =
    (l: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      if (RANK[l] < min) return;
      let line: string;
      try {
        line = JSON.stringify({ t: now(), level: l, msg, ...fields });
      } catch {
        line = JSON.stringify({ t: now(), level: l, msg, note: 'fields not serialisable' });
      }
      write(`${line}\n`);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A message for logs from anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
