import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import type { HubOptions } from './hub.ts';
import { MAX_CONSUMERS } from './broker/external/options.ts';

const port = (example: number) =>
  z.coerce
    .number({ message: `must be a port number 0-65535, e.g. ${example}` })
    .int({ message: `must be a whole port number 0-65535, e.g. ${example}` })
    .min(0, { message: `must be a port number 0-65535, e.g. ${example}` })
    .max(65_535, { message: `must be a port number 0-65535, e.g. ${example}` });
const file = (what: string) =>
  z
    .string()
    .min(1)
    .refine(existsSync, { message: `${what} file does not exist; give the path of an existing file` });
const SLICE = { message: 'must be on, off, or a slice in µs from 100 to 100000 (Linux 6.12+), e.g. 100' };
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
// MQTT client ids and share group names: printable, no topic wildcards or separators
const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const CONSUMER_SUFFIX = /:\d+$/;
const CLIENT_ID_MSG = 'must be 1-128 letters, digits or . _ : - (e.g. steppelink-hub-1)';
/** Variables that only mean something with STEPPELINK_BROKER=external. */
const EXTERNAL_ONLY = [
  'STEPPELINK_BROKER_URL',
  'STEPPELINK_BROKER_CLIENT_ID',
  'STEPPELINK_BROKER_CONSUMERS',
  'STEPPELINK_BROKER_GROUP',
  'STEPPELINK_BROKER_SESSION_EXPIRY_S',
  'STEPPELINK_BROKER_ADOPT',
  'STEPPELINK_BROKER_CA',
  'STEPPELINK_BROKER_AUTH_SECRET',
  'STEPPELINK_MOSQUITTO_DIR',
  'STEPPELINK_MOSQUITTO_PID_FILE',
] as const;

/** Every STEPPELINK_* variable the hub reads, with its default. */
export const envSchema = z
  .object({
    STEPPELINK_MQTT_PORT: port(1883).default(1883),
    STEPPELINK_HTTP_PORT: port(8080).default(8080),
    STEPPELINK_HOST: z
      .string()
      .min(1, { message: 'must be an address to listen on, e.g. 0.0.0.0' })
      .default('0.0.0.0'),
    STEPPELINK_DATA_DIR: z
      .string()
      .min(1, { message: 'must be a folder path, e.g. ./data' })
      .default('./data'),
    STEPPELINK_TELEMETRY: z
      .enum(['sqlite', 'influx'], { message: 'must be sqlite or influx' })
      .default('sqlite'),
    STEPPELINK_TELEMETRY_THREAD: z
      .enum(['on', 'off'], {
        message: 'must be on (SQLite telemetry in a worker thread) or off (on the main thread)',
      })
      .optional(),
    // the event loop's scheduler slice: on = the hub's 100 µs latency hint, off = the kernel's default, or µs
    STEPPELINK_EVENT_LOOP_SLICE: z
      .union(
        [z.enum(['on', 'off']), z.coerce.number(SLICE).int(SLICE).min(100, SLICE).max(100_000, SLICE)],
        SLICE,
      )
      .default('on'),
    STEPPELINK_INFLUX_URL: z.url({ message: 'must be a URL, e.g. http://127.0.0.1:8086' }).optional(),
    STEPPELINK_INFLUX_TOKEN: z.string().optional(),
    STEPPELINK_INFLUX_DB: z.string().min(1).optional(),
    STEPPELINK_INFLUX_ORG: z.string().min(1).optional(),
    STEPPELINK_INFLUX_BUCKET: z.string().min(1).optional(),
    STEPPELINK_TLS_CERT: file('certificate').optional(),
    STEPPELINK_TLS_KEY: file('key').optional(),
    STEPPELINK_TLS_CA: file('CA bundle').optional(),
    STEPPELINK_TLS_PORT: port(8883).default(8883),
    STEPPELINK_REGISTRY: file('registry').optional(),
    STEPPELINK_METRICS_TOKEN: z
      .string()
      .min(16, {
        message: 'must be at least 16 characters (a random token, e.g. from `openssl rand -hex 24`)',
      })
      .optional(),
    STEPPELINK_LOG_LEVEL: z
      .enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
      .default('info'),
    STEPPELINK_WEBHOOK_URL: z
      .url({ message: 'must be the URL of the SMS/voice gateway, e.g. https://sms.example.cn/hook' })
      .optional(),
    // the rescue dispatcher's system: each dispatch POSTs the incident's rescue handover (#24)
    STEPPELINK_DISPATCH_URL: z
      .url({
        message: "must be the URL of the rescue dispatcher's webhook, e.g. https://120.example.cn/steppelink",
      })
      .optional(),
    // SOS over SMS and BeiDou (#27): the inbound gateway's signing secret, and where sos-acks go back
    STEPPELINK_GATEWAY_SECRET: z
      .string()
      .min(16, {
        message: 'must be at least 16 characters (a random secret, e.g. from `openssl rand -hex 24`)',
      })
      .optional(),
    STEPPELINK_SMS_OUT_URL: z
      .url({
        message: "must be the URL of the SMS gateway's outbound endpoint, e.g. https://sms.example.cn/send",
      })
      .optional(),
    STEPPELINK_TILES_DIR: z
      .string()
      .min(1)
      .refine(existsSync, { message: 'tiles folder does not exist; give a folder of {z}/{x}/{y}.png tiles' })
      .optional(),
    // the operator's offline tile archive (raster PMTiles v3), served at /tiles from disk
    STEPPELINK_PMTILES: z
      .string()
      .min(1)
      .refine((p) => p.endsWith('.pmtiles'), { message: 'must be a .pmtiles archive' })
      .refine(existsSync, { message: 'tile archive does not exist; give the path of a .pmtiles file' })
      .optional(),
    // the simulated fleet (another component): on = run it, league = import its league only, off
    STEPPELINK_SIM: z.enum(['on', 'off', 'league'], { message: 'must be on, off or league' }).default('on'),
    // where devices connect: the embedded aedes broker, or a broker the operator runs (README "Scaling beyond one machine")
    STEPPELINK_BROKER: z
      .enum(['embedded', 'external'], { message: 'must be embedded (the default) or external' })
      .default('embedded'),
    STEPPELINK_BROKER_URL: z
      .url({
        message: 'must be the broker URL, e.g. mqtt://broker.internal:1883 or mqtts://broker.internal:8883',
      })
      .refine((u) => /^mqtts?:\/\//.test(u), { message: 'must start with mqtt:// or mqtts://' })
      .optional(),
    STEPPELINK_BROKER_USERNAME: z.string().min(1).optional(),
    STEPPELINK_BROKER_PASSWORD: z.string().min(1).optional(),
    STEPPELINK_BROKER_CLIENT_ID: z.string().regex(CLIENT_ID, { message: CLIENT_ID_MSG }).optional(),
    // consumer connections per hub (client ids <id>, <id>:2, …): how many messages it has in flight
    STEPPELINK_BROKER_CONSUMERS: z.coerce
      .number({ message: 'must be a number of connections, e.g. 4' })
      .int({ message: 'must be a whole number of connections, e.g. 4' })
      .min(1, { message: 'must be at least 1' })
      .max(MAX_CONSUMERS, { message: `must be at most ${MAX_CONSUMERS}` })
      .optional(),
    STEPPELINK_BROKER_GROUP: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 letters, digits, _ or - (e.g. steppelink)' })
      .optional(),
    STEPPELINK_BROKER_SESSION_EXPIRY_S: z.coerce
      .number({ message: 'must be a number of seconds, e.g. 86400' })
      .int({ message: 'must be a whole number of seconds, e.g. 86400' })
      .min(60, { message: 'must be at least 60 s (the session must outlive a restart)' })
      .max(4_294_967_294, { message: 'must be below 4294967295 (MQTT 5: that means never)' })
      .optional(),
    // client ids of dead hubs whose sessions this hub drains at start, comma-separated
    STEPPELINK_BROKER_ADOPT: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== ''),
      )
      .pipe(z.array(z.string().regex(CLIENT_ID, { message: `each client id ${CLIENT_ID_MSG}` })))
      .optional(),
    STEPPELINK_BROKER_CA: file('broker CA bundle').optional(),
    // shared secret the broker sends (header X-SteppeLink-Broker-Secret) to the HTTP auth/ACL endpoint /broker/…
    STEPPELINK_BROKER_AUTH_SECRET: z
      .string()
      .min(24, {
        message: 'must be at least 24 characters (a random secret, e.g. from `openssl rand -hex 24`)',
      })
      .optional(),
    // mosquitto: folder where the hub writes the password and ACL files it generates from the registry
    STEPPELINK_MOSQUITTO_DIR: z
      .string()
      .min(1)
      .refine(existsSync, {
        message: 'folder does not exist; create it (writable by the hub, readable by mosquitto)',
      })
      .optional(),
    // mosquitto's pid_file: the hub sends SIGHUP after writing the files, so mosquitto reloads them
    STEPPELINK_MOSQUITTO_PID_FILE: z.string().min(1).optional(),
    STEPPELINK_SIM_HOUSEHOLDS: z.coerce
      .number({ message: 'must be a number of households, e.g. 2400' })
      .int()
      .min(1, { message: 'must be at least 1' })
      .max(200_000, { message: 'must be at most 200000' })
      .default(2400),
  })
  .superRefine((e, ctx) => {
    if (e.STEPPELINK_TELEMETRY === 'influx' && !e.STEPPELINK_INFLUX_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['STEPPELINK_INFLUX_URL'],
        message: 'is required when STEPPELINK_TELEMETRY=influx, e.g. http://127.0.0.1:8086',
      });
    }
    if (e.STEPPELINK_BROKER === 'external') {
      for (const [name, example] of [
        ['STEPPELINK_BROKER_URL', 'mqtt://broker.internal:1883'],
        ['STEPPELINK_BROKER_USERNAME', 'the hub account at the broker, e.g. steppelink-hub'],
        ['STEPPELINK_BROKER_PASSWORD', 'that account password'],
      ] as const) {
        if (!e[name])
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `is required when STEPPELINK_BROKER=external (${example})`,
          });
      }
      const own = e.STEPPELINK_BROKER_CLIENT_ID ?? defaultClientId();
      // the hub's further consumer connections are <id>:2, <id>:3, …: no configured id may look like one
      for (const [name, ids] of [
        ['STEPPELINK_BROKER_CLIENT_ID', [own]],
        ['STEPPELINK_BROKER_ADOPT', e.STEPPELINK_BROKER_ADOPT ?? []],
      ] as const) {
        const taken = ids.find((id) => CONSUMER_SUFFIX.test(id));
        if (taken)
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `names ${taken}, which ends like a consumer connection's id (<hub id>:2, :3, …); name the hub itself (without :<number>)`,
          });
      }
      if (e.STEPPELINK_BROKER_ADOPT?.includes(own))
        ctx.addIssue({
          code: 'custom',
          path: ['STEPPELINK_BROKER_ADOPT'],
          message: `names this hub's own client id (${own}); list the dead hubs' ids only`,
        });
    } else {
      for (const name of EXTERNAL_ONLY) {
        if (e[name] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'is only used with STEPPELINK_BROKER=external',
          });
      }
    }
    if (Boolean(e.STEPPELINK_TLS_CERT) !== Boolean(e.STEPPELINK_TLS_KEY)) {
      const missing = e.STEPPELINK_TLS_CERT ? 'STEPPELINK_TLS_KEY' : 'STEPPELINK_TLS_CERT';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'is required for TLS: set both STEPPELINK_TLS_CERT and STEPPELINK_TLS_KEY',
      });
    }
  });
export type HubEnv = z.output<typeof envSchema>;

/** A hub's default client id at the broker: stable across restarts on one machine. */
export const defaultClientId = (): string =>
  `steppelink-hub-${hostname()
    .replace(/[^A-Za-z0-9._:-]/g, '-')
    .slice(0, 100)}`;

export interface HubConfig {
  env: HubEnv;
  options: Omit<HubOptions, 'log' | 'modules' | 'clock'>;
  registryFile?: string;
  webhookUrl?: string;
  /** STEPPELINK_DISPATCH_URL: where each dispatch's rescue handover goes. */
  dispatchUrl?: string;
  /** SOS over SMS and BeiDou: STEPPELINK_GATEWAY_SECRET and STEPPELINK_SMS_OUT_URL. */
  shortMessage?: { gatewaySecret?: string; outbound?: { url: string } };
  tilesDir?: string;
  /** A raster PMTiles archive for the map (STEPPELINK_PMTILES). */
  pmtiles?: string;
  sim: HubEnv['STEPPELINK_SIM'];
}

export type ConfigResult = { ok: true; config: HubConfig } | { ok: false; problems: string[] };

/** Reads STEPPELINK_* from `env`. Never throws: every bad variable becomes one line saying what to set. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const input = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('STEPPELINK_') && v !== ''),
  );
  const r = envSchema.safeParse(input);
  if (!r.success) {
    const problems = r.error.issues.map((i) => {
      const name = String(i.path[0] ?? 'environment');
      const value = input[name];
      return `${name}${value === undefined ? '' : `=${JSON.stringify(value)}`}: ${i.message}`;
    });
    return { ok: false, problems: [...new Set(problems)] };
  }
  const e = r.data;
  const options: HubConfig['options'] = {
    dataDir: e.STEPPELINK_DATA_DIR,
    host: e.STEPPELINK_HOST,
    mqttPort: e.STEPPELINK_MQTT_PORT,
    httpPort: e.STEPPELINK_HTTP_PORT,
    logLevel: e.STEPPELINK_LOG_LEVEL,
  };
  if (e.STEPPELINK_TELEMETRY === 'influx' && e.STEPPELINK_INFLUX_URL) {
    options.telemetry = {
      adapter: 'influx',
      url: e.STEPPELINK_INFLUX_URL,
      ...(e.STEPPELINK_INFLUX_TOKEN ? { token: e.STEPPELINK_INFLUX_TOKEN } : {}),
      ...(e.STEPPELINK_INFLUX_DB ? { database: e.STEPPELINK_INFLUX_DB } : {}),
      ...(e.STEPPELINK_INFLUX_ORG ? { org: e.STEPPELINK_INFLUX_ORG } : {}),
      ...(e.STEPPELINK_INFLUX_BUCKET ? { bucket: e.STEPPELINK_INFLUX_BUCKET } : {}),
    };
  }
  if (e.STEPPELINK_TELEMETRY === 'sqlite' && e.STEPPELINK_TELEMETRY_THREAD === 'off') {
    options.telemetry = { adapter: 'sqlite', thread: false };
  }
  if (e.STEPPELINK_EVENT_LOOP_SLICE === 'off') options.eventLoopSliceUs = false;
  else if (typeof e.STEPPELINK_EVENT_LOOP_SLICE === 'number')
    options.eventLoopSliceUs = e.STEPPELINK_EVENT_LOOP_SLICE;
  if (e.STEPPELINK_METRICS_TOKEN) options.api = { auth: { metricsToken: e.STEPPELINK_METRICS_TOKEN } };
  if (e.STEPPELINK_TLS_CERT && e.STEPPELINK_TLS_KEY) {
    options.tls = {
      port: e.STEPPELINK_TLS_PORT,
      certFile: e.STEPPELINK_TLS_CERT,
      keyFile: e.STEPPELINK_TLS_KEY,
    };
    if (e.STEPPELINK_TLS_CA) options.tls.caFile = e.STEPPELINK_TLS_CA;
  }
  if (e.STEPPELINK_BROKER === 'external' && e.STEPPELINK_BROKER_URL) {
    options.externalBroker = {
      url: e.STEPPELINK_BROKER_URL,
      username: e.STEPPELINK_BROKER_USERNAME ?? '',
      password: e.STEPPELINK_BROKER_PASSWORD ?? '',
      clientId: e.STEPPELINK_BROKER_CLIENT_ID ?? defaultClientId(),
      ...(e.STEPPELINK_BROKER_CONSUMERS ? { consumers: e.STEPPELINK_BROKER_CONSUMERS } : {}),
      ...(e.STEPPELINK_BROKER_GROUP ? { group: e.STEPPELINK_BROKER_GROUP } : {}),
      ...(e.STEPPELINK_BROKER_SESSION_EXPIRY_S
        ? { sessionExpiryS: e.STEPPELINK_BROKER_SESSION_EXPIRY_S }
        : {}),
      ...(e.STEPPELINK_BROKER_ADOPT?.length ? { adopt: e.STEPPELINK_BROKER_ADOPT } : {}),
      ...(e.STEPPELINK_BROKER_CA ? { ca: readFileSync(e.STEPPELINK_BROKER_CA) } : {}),
    };
  }
  if (
    options.externalBroker &&
    (e.STEPPELINK_BROKER_AUTH_SECRET !== undefined || e.STEPPELINK_MOSQUITTO_DIR !== undefined)
  ) {
    options.brokerAccess = {
      hub: {
        username: options.externalBroker.username,
        password: options.externalBroker.password,
        group: options.externalBroker.group ?? 'steppelink',
      },
      ...(e.STEPPELINK_BROKER_AUTH_SECRET ? { endpointSecret: e.STEPPELINK_BROKER_AUTH_SECRET } : {}),
      ...(e.STEPPELINK_MOSQUITTO_DIR
        ? {
            mosquitto: {
              dir: e.STEPPELINK_MOSQUITTO_DIR,
              ...(e.STEPPELINK_MOSQUITTO_PID_FILE ? { pidFile: e.STEPPELINK_MOSQUITTO_PID_FILE } : {}),
            },
          }
        : {}),
    };
  }
  const config: HubConfig = { env: e, options, sim: e.STEPPELINK_SIM };
  if (e.STEPPELINK_REGISTRY) config.registryFile = e.STEPPELINK_REGISTRY;
  if (e.STEPPELINK_WEBHOOK_URL) config.webhookUrl = e.STEPPELINK_WEBHOOK_URL;
  if (e.STEPPELINK_DISPATCH_URL) config.dispatchUrl = e.STEPPELINK_DISPATCH_URL;
  if (e.STEPPELINK_GATEWAY_SECRET || e.STEPPELINK_SMS_OUT_URL) {
    config.shortMessage = {
      ...(e.STEPPELINK_GATEWAY_SECRET ? { gatewaySecret: e.STEPPELINK_GATEWAY_SECRET } : {}),
      ...(e.STEPPELINK_SMS_OUT_URL ? { outbound: { url: e.STEPPELINK_SMS_OUT_URL } } : {}),
    };
  }
  if (e.STEPPELINK_TILES_DIR) config.tilesDir = e.STEPPELINK_TILES_DIR;
  if (e.STEPPELINK_PMTILES) config.pmtiles = e.STEPPELINK_PMTILES;
  return { ok: true, config };
}
