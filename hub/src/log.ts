import { type DestinationStream, type LoggerOptions, type Logger as PinoLogger, pino } from 'pino';

export type Logger = PinoLogger;

/**
 * Structured JSON logs (pino). Secrets never reach a log line: these paths are censored
 * wherever they appear, and code logs ids, never credentials.
 */
export const REDACT_PATHS = [
  'password',
  'secret',
  'token',
  'authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(
  opts: { level?: string; name?: string; destination?: DestinationStream } = {},
): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? process.env.STEPPELINK_LOG_LEVEL ?? 'info',
    name: opts.name ?? 'steppelink-hub',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** For tests: a logger that writes nowhere unless STEPPELINK_LOG_LEVEL asks for output. */
export function silentLogger(): Logger {
  return pino({
    level: process.env.STEPPELINK_LOG_LEVEL ?? 'silent',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  });
}
