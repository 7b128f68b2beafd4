/**
 * `npm start`: the hub as a process. Reads STEPPELINK_* (see config.ts), imports the registry
 * file if given, starts the hub with its standard modules (incidents, rules, broadcast) and the
 * dashboard, and closes it gracefully on SIGINT/SIGTERM. (The simulated fleet is started by its
 * own component; STEPPELINK_SIM is parsed here.)
 * Exit codes: 0 after a graceful stop, 1 when the hub failed to start or stop, 2 for bad configuration.
 */
import { join } from 'node:path';
import { createApi } from './api/app.ts';
import { loadConfig } from './config.ts';
import { withDashboard } from './dashboard-static.ts';
import { createHub } from './hub.ts';
import { createLogger } from './log.ts';
import { createStandardModules } from './modules.ts';
import { formatIssue } from './registry/import-errors.ts';
import { describeSummary, importFile } from './registry/import.ts';
import { openSqliteRegistry } from './registry/sqlite-store.ts';
import { DEMO_PASSWORD } from './registry/fixture.ts';
import { demoZones } from './rules/data/index.ts';
import { prepareDemo } from './sim/demo.ts';
import { type Fleet, startFleet } from './sim/fleet.ts';
import { startSimSmsGateway } from './sim/sms-gateway.ts';
import { openTileArchive } from './tiles/pmtiles.ts';
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
const { options, registryFile, webhookUrl, dispatchUrl, tilesDir, pmtiles, sim, env, shortMessage } = (
  cfg as Extract<typeof cfg, { ok: true }>
).config;
const log = createLogger({ level: options.logLevel ?? 'info' });

/**
 * Imports the registry file — every section, rosters included, through the same path as
 * `steppelink-hub import` and the API (all rows checked first; any bad row or unknown section:
 * nothing written, exit 2).
 */
async function importRegistry(file: string): Promise<void> {
  const db = openDatabase(join(options.dataDir, 'state.db'));
  const registry = openSqliteRegistry(db);
  try {
    const outcome = await importFile(registry, file);
    if (!outcome.ok) {
      fail(2, [
        `SteppeLink hub: the registry file ${file} has ${outcome.errors.length} problem(s); nothing was imported:`,
        ...outcome.errors.map((e) => `  - ${formatIssue(e, file)}`),
      ]);
    } else {
      process.stdout.write(`Registry ${file}: ${describeSummary(outcome.summary)}\n`);
      for (const w of outcome.warnings) process.stdout.write(`  warning: ${w}\n`);
    }
  } finally {
    registry.close();
    db.close();
  }
}

if (registryFile) await importRegistry(registryFile);

// The simulated league (STEPPELINK_SIM=on|league): generated, imported once, with matching zones.
const stateDb = openDatabase(join(options.dataDir, 'state.db'));
const demo = sim === 'off' ? undefined : prepareDemo(env.STEPPELINK_SIM_HOUSEHOLDS, stateDb);
// Without the sim, the demo zones only make sense when the registry has the units they name.
const knownUnits = openSqliteRegistry(stateDb);
const demoZonesFit = ['150800', '150824-104', '150825-201'].every((u) => knownUnits.getUnit(u));
knownUnits.close();
stateDb.close();
if (demo) {
  process.stdout.write(
    `Simulated league: ${demo.league.doc.households.length} households, ${demo.league.devices.length} devices` +
      `${demo.registry ? ' (importing; hashing device secrets takes a few seconds the first time)' : ' (already imported)'}\n`,
  );
}
// The simulated league's phones: pages go to a local stand-in SMS gateway unless a real one is set.
const simSms =
  demo && sim === 'on' && !webhookUrl
    ? await startSimSmsGateway(log.child({ component: 'sim-sms' }))
    : undefined;
const smsUrl = webhookUrl ?? simSms?.url;
// the operator's tile archive, checked before anything starts (a vector or broken archive: exit 2)
const tileArchive = pmtiles
  ? await openTileArchive(pmtiles).catch((e: Error) =>
      fail(2, [`SteppeLink hub: STEPPELINK_PMTILES: ${e.message}`]),
    )
  : undefined;
const modules = createStandardModules({
  ...(smsUrl ? { webhook: { url: smsUrl } } : {}),
  ...(dispatchUrl ? { dispatchWebhook: { url: dispatchUrl } } : {}),
  ...(shortMessage ? { shortMessage } : {}),
  zones: demo ? demo.zones : demoZonesFit ? demoZones() : { type: 'FeatureCollection', features: [] },
});
const hub = createHub({
  ...options,
  ...(demo?.registry ? { registry: demo.registry } : {}),
  log,
  modules: modules.list,
  app: (deps) => withDashboard(createApi(deps), tileArchive ? { tileArchive } : tilesDir ? { tilesDir } : {}),
});
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) {
    process.stderr.write(`SteppeLink hub: ${signal} again, exiting without finishing the shutdown\n`);
    process.exit(1);
  }
  stopping = true;
  log.info({ signal }, 'shutting down');
  try {
    await fleet?.close();
    const r = await hub.close();
    await simSms?.close();
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

let fleet: Fleet | undefined;
try {
  const ports = await hub.start();
  if (demo?.registry) demo.markImported(hub.db);
  const host = options.host ?? '0.0.0.0';
  process.stdout.write(
    [
      `SteppeLink hub listening (data in ${options.dataDir}):`,
      ...(options.externalBroker
        ? [
            `  MQTT       through the broker at ${options.externalBroker.url} as ${options.externalBroker.clientId}` +
              ` (devices connect there; STEPPELINK_BROKER=external)`,
          ]
        : [
            `  MQTT       mqtt://${host}:${ports.mqttPort}`,
            ...(ports.tlsPort ? [`  MQTT/TLS   mqtts://${host}:${ports.tlsPort}`] : []),
            `  MQTT/WS    ws://${host}:${ports.httpPort}/mqtt`,
          ]),
      `  HTTP       http://${host}:${ports.httpPort}  (API under /api, metrics at /metrics)`,
      '',
    ].join('\n'),
  );
  const web = `http://${host === '0.0.0.0' ? 'localhost' : host}:${ports.httpPort}/`;
  if (demo) {
    process.stdout.write(
      [
        `Dashboard: ${web}`,
        `Demo logins (password ${DEMO_PASSWORD}):`,
        ...demo.league.logins.map((l) => `  ${l.username.padEnd(12)} ${l.name} — ${l.role} of ${l.unit}`),
        '',
      ].join('\n'),
    );
  } else {
    process.stdout.write(`Dashboard: ${web}\n`);
  }
  if (demo && sim === 'on' && !options.externalBroker) {
    fleet = await startFleet({
      hubUrls: [`mqtt://127.0.0.1:${ports.mqttPort}`],
      league: demo.league,
      border: demo.border,
      log: log.child({ component: 'sim' }),
      onProgress: ({ connected, total }) => {
        if (connected === total || connected % 500 === 0)
          process.stdout.write(`sim: ${connected}/${total} devices started\n`);
      },
    });
    process.stdout.write(
      `sim: the simulated league is live (${fleet.size} devices); STEPPELINK_SIM=off runs the hub alone\n`,
    );
    if (simSms) {
      process.stdout.write(
        'sim: pages go to a simulated SMS gateway (9 in 10 phones in coverage); STEPPELINK_WEBHOOK_URL sets a real one\n',
      );
    }
  }
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  fail(1, [
    e.code === 'EADDRINUSE'
      ? `SteppeLink hub: a port is already in use (${e.message}); set STEPPELINK_MQTT_PORT / STEPPELINK_HTTP_PORT to free ports.`
      : `SteppeLink hub failed to start: ${e.message}`,
  ]);
}
