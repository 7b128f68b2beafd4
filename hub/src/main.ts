/**
 * `npm start`: the hub as a process. Reads STEPPELINK_* (see config.ts), imports the registry
 * file if given, starts the hub, and closes it gracefully on SIGINT/SIGTERM.
 * Exit codes: 0 after a graceful stop, 1 when the hub failed to start or stop, 2 for bad configuration.
 */
import { join } from 'node:path';
import { loadConfig } from './config.ts';
import { createHub } from './hub.ts';
import { createLogger } from './log.ts';
import { formatIssue } from './registry/import-errors.ts';
import { importFile } from './registry/import.ts';
import { RegistryStore } from './registry/store.ts';
import { openDatabase } from './state/db.ts';

const fail = (code: number, lines: string[]): never => {
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(code);
};

const cfg = loadConfig(process.env);
if (!cfg.ok) {
  fail(2, [
    'SteppeLink hub: the configuration is invalid. Fix these environment variables:',
    ...cfg.problems.map((p) => `  - ${p}`),
  ]);
}
const { options, registryFile } = (cfg as Extract<typeof cfg, { ok: true }>).config;
const log = createLogger({ level: options.logLevel ?? 'info' });

if (registryFile) {
  const db = openDatabase(join(options.dataDir, 'state.db'));
  const outcome = importFile(new RegistryStore(db), registryFile);
  db.close();
  if (!outcome.ok) {
    fail(2, [
      `SteppeLink hub: the registry file ${registryFile} has ${outcome.errors.length} problem(s); nothing was imported:`,
      ...outcome.errors.map((e) => `  - ${formatIssue(e, registryFile)}`),
    ]);
  } else {
    const s = outcome.summary;
    process.stdout.write(
      `Registry ${registryFile}: ${s.units} units, ${s.households} households, ${s.teams} teams, ${s.devices} devices, ${s.people} people\n`,
    );
    for (const w of outcome.warnings) process.stdout.write(`  warning: ${w}\n`);
  }
}

const hub = createHub({ ...options, log });
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) {
    process.stderr.write(`SteppeLink hub: ${signal} again, exiting without finishing the shutdown\n`);
    process.exit(1);
  }
  stopping = true;
  log.info({ signal }, 'shutting down');
  try {
    const r = await hub.close();
    process.stdout.write(
      `SteppeLink hub stopped: ${r.unprocessed} accepted message(s) left for replay at next start, ${r.telemetryUnwritten} telemetry point(s) unwritten\n`,
    );
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    process.exit(1);
  }
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

try {
  const ports = await hub.start();
  const host = options.host ?? '0.0.0.0';
  process.stdout.write(
    [
      `SteppeLink hub listening (data in ${options.dataDir}):`,
      `  MQTT       mqtt://${host}:${ports.mqttPort}`,
      ...(ports.tlsPort ? [`  MQTT/TLS   mqtts://${host}:${ports.tlsPort}`] : []),
      `  MQTT/WS    ws://${host}:${ports.httpPort}/mqtt`,
      `  HTTP       http://${host}:${ports.httpPort}  (API under /api, metrics at /metrics)`,
      '',
    ].join('\n'),
  );
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  fail(1, [
    e.code === 'EADDRINUSE'
      ? `SteppeLink hub: a port is already in use (${e.message}); set STEPPELINK_MQTT_PORT / STEPPELINK_HTTP_PORT to free ports.`
      : `SteppeLink hub failed to start: ${e.message}`,
  ]);
}
