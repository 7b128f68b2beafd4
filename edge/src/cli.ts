import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { parseArgs } from 'node:util';
import { type AgentOptions, createAgent } from './agent.ts';
import { systemClock, systemTimers } from './clock.ts';
import { type EdgeConfig, loadConfig } from './config.ts';
import { AGENT_VERSION } from './defaults.ts';
import { LocalServer } from './http/server.ts';
import { inputsFromConfig } from './inputs/from-config.ts';
import { AtModem } from './short-message/at-modem.ts';
import { BeidouTerminal } from './short-message/beidou.ts';
import { createJsonLogger, errorMessage, type LogLevel } from './logger.ts';
import { openSqliteOutbox } from './outbox/sqlite.ts';

const USAGE = `Usage: steppelink-edge --config <edge.json> [--check] [--log-level debug|info|warn|error]

  --config, -c   device configuration (see edge/edge.example.json)
  --check        validate the configuration and exit
  --log-level    override log.level from the configuration
  --version      print the agent version
`;

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Resolves when the process should stop (SIGTERM/SIGINT in production). */
  stopSignal: Promise<string>;
}

/** Battery percentage from a sysfs file, if it reads as 0..100. */
function readBattery(path: string | undefined): number | undefined {
  if (!path) return undefined;
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isFinite(n) && n >= 0 && n <= 100 ? n : undefined;
  } catch {
    return undefined;
  }
}

function firmware(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    return `${pretty ?? 'Linux'} ${arch()}`.slice(0, 64);
  } catch {
    return `${process.platform} ${arch()}`;
  }
}

/** Runs the agent until stopSignal resolves. Returns the process exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let args: ReturnType<typeof parse>;
  const parse = (a: string[]) =>
    parseArgs({
      args: a,
      options: {
        config: { type: 'string', short: 'c' },
        check: { type: 'boolean', default: false },
        'log-level': { type: 'string' },
        version: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  try {
    args = parse(argv);
  } catch (error) {
    io.stderr(`${errorMessage(error)}\n\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (args.values.version) {
    io.stdout(`${AGENT_VERSION}\n`);
    return 0;
  }
  const path = args.values.config;
  if (!path) {
    io.stderr(`--config is required\n\n${USAGE}`);
    return 2;
  }
  const loaded = loadConfig(path);
  if (!loaded.ok) {
    io.stderr(`Invalid configuration:\n${loaded.errors.map((e) => `  ${e}`).join('\n')}\n`);
    return 2;
  }
  const config: EdgeConfig = loaded.config;
  const level = (args.values['log-level'] ?? config.log.level) as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) {
    io.stderr(`--log-level must be debug, info, warn or error\n`);
    return 2;
  }
  if (args.values.check) {
    io.stdout(
      `${path}: OK (device ${config.deviceId}, ${config.hubUrls.length} hub URL(s), ${config.inputs.length} input(s))\n`,
    );
    return 0;
  }
  const log = createJsonLogger(io.stdout, level);
  let store: ReturnType<typeof openSqliteOutbox>;
  try {
    store = openSqliteOutbox({
      path: config.outbox.path,
      maxBytes: config.outbox.maxBytes,
      maxMessages: config.outbox.maxMessages,
      sync: config.outbox.sync,
      reserveBytes: config.outbox.reserveBytes,
    });
  } catch (error) {
    io.stderr(`${errorMessage(error)}\n`);
    return 3;
  }
  const options: AgentOptions = {
    deviceId: config.deviceId,
    secret: config.secret,
    hubUrls: config.hubUrls,
    units: config.units,
    store,
    logger: log,
    inputs: inputsFromConfig(config.inputs, systemClock, systemTimers, log),
    power: () => {
      const battery = readBattery(config.power.batteryPath);
      return battery === undefined
        ? { source: config.power.source }
        : { source: config.power.source, battery };
    },
    fw: firmware(),
    shortMessage: {
      transports: [
        ...(config.shortMessage.modem
          ? [new AtModem({ ...config.shortMessage.modem, timers: systemTimers })]
          : []),
        ...(config.shortMessage.beidou
          ? [new BeidouTerminal({ ...config.shortMessage.beidou, timers: systemTimers })]
          : []),
      ],
    },
    settings: {
      hbIntervalS: config.hbIntervalS,
      posIntervalS: config.posIntervalS,
      byteBudgetPerMin: config.byteBudgetPerMin,
      lang: config.lang,
      posBatchMaxFixes: config.posBatch.maxFixes,
      posBatchMaxAgeS: config.posBatch.maxAgeS,
      grazingBatchMaxReadings: config.grazingBatch.maxReadings,
      grazingBatchMaxAgeS: config.grazingBatch.maxAgeS,
      maxInflight: config.maxInflight,
      reconnectInitialMs: config.reconnect.initialMs,
      reconnectMaxMs: config.reconnect.maxMs,
    },
  };
  const agent = createAgent(options);
  const server = config.http
    ? new LocalServer({
        agent,
        host: config.http.host,
        port: config.http.port,
        allowOrigins: config.http.allowOrigins,
      })
    : undefined;
  try {
    await agent.start();
    await server?.start();
  } catch (error) {
    log.error('agent.start_failed', { error: errorMessage(error) });
    await server?.close();
    await agent.close();
    store.close();
    return 1;
  }
  log.info('agent.started', {
    deviceId: config.deviceId,
    version: AGENT_VERSION,
    outbox: store.stats(),
    http: server?.url,
  });
  const signal = await io.stopSignal;
  log.info('agent.stopping', { signal });
  await server?.close();
  await agent.close();
  store.close();
  return 0;
}
