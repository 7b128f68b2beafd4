import { readFileSync } from 'node:fs';
import {
  deviceIdSchema,
  isValidDeviceId,
  latSchema,
  lonSchema,
  powerSourceSchema,
  SOS_CATEGORIES,
  unitIdSchema,
} from '@steppelink/protocols';
import { z } from 'zod';
import { EDGE_DEFAULTS } from './defaults.ts';

const port = z.number().int().min(1).max(65_535);
const loopback = z
  .string()
  .refine((h) => h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h), {
    message:
      'must be a loopback address (127.0.0.1): the SOS endpoint must not be reachable from the network',
  });
const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

const inputSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('gpsd'),
    host: z.string().default('127.0.0.1'),
    port: port.default(2947),
  }),
  z.strictObject({ type: z.literal('nmea'), path: z.string().min(1) }),
  z.strictObject({ type: z.literal('sensor-serial'), path: z.string().min(1) }),
  z.strictObject({ type: z.literal('sensor-udp'), host: z.string().default('127.0.0.1'), port }),
  z.strictObject({
    type: z.literal('sensor-sim'),
    intervalS: seconds(1, 86_400).default(60),
    home: z.strictObject({ lat: latSchema, lon: lonSchema }),
    tag: z.string().regex(/^[A-Za-z0-9-]{1,16}$/, { message: 'use 1-16 letters, digits or -' }),
    collars: z.number().int().min(0).max(50).default(3),
  }),
  z.strictObject({
    type: z.literal('input-event'),
    path: z.string().min(1),
    /** Linux key code (linux/input-event-codes.h) the box's SOS key sends, e.g. 59 = KEY_F1. */
    keyCode: z.number().int().min(0).max(0x2ff),
    category: z.enum(SOS_CATEGORIES).default('unknown'),
  }),
  z.strictObject({ type: z.literal('stdin') }),
]);
export type InputConfig = z.infer<typeof inputSchema>;

const d = EDGE_DEFAULTS;

/** edge.json — one device's configuration. Unknown keys are errors, so a typo cannot pass silently. */
export const edgeConfigSchema = z.strictObject({
  deviceId: deviceIdSchema.refine(isValidDeviceId, {
    message: 'is a reserved word (unit, worker, down, hub)',
  }),
  secret: z
    .string()
    .min(8, { message: 'must be at least 8 characters (the MQTT password issued by the hub)' }),
  hubUrls: z
    .array(
      z.string().regex(/^(mqtts?|wss?|tcp|tls):\/\/[^/\s]+/, {
        message: 'must be a URL like mqtt://hub.example:1883',
      }),
    )
    .min(1, { message: 'needs at least one hub URL' }),
  units: z.array(unitIdSchema).max(12).default([]),
  roles: z
    .array(z.enum(['household', 'patrol', 'collar-relay', 'water-point']))
    .min(1)
    .default(['household']),
  lang: z.enum(['zh', 'mn']).default('zh'),
  power: z
    .strictObject({
      source: powerSourceSchema.default('mains'),
      /** e.g. /sys/class/power_supply/battery/capacity */
      batteryPath: z.string().optional(),
    })
    .default({ source: 'mains' }),
  outbox: z
    .strictObject({
      path: z.string().min(1).default('/var/lib/steppelink/outbox.db'),
      maxBytes: z
        .number()
        .int()
        .min(64 * 1024)
        .default(d.outboxMaxBytes),
      maxMessages: z.number().int().min(100).default(d.outboxMaxMessages),
      sync: z.enum(['full', 'normal']).default('full'),
      /** Room kept on the disk for SOS and receipts; 0 disables it. */
      reserveBytes: z.number().int().min(0).default(d.outboxReserveBytes),
    })
    .default({
      path: '/var/lib/steppelink/outbox.db',
      maxBytes: d.outboxMaxBytes,
      maxMessages: d.outboxMaxMessages,
      sync: 'full',
      reserveBytes: d.outboxReserveBytes,
    }),
  hbIntervalS: seconds(10, 86_400).default(d.hbIntervalS),
  posIntervalS: seconds(1, 3600).default(d.posIntervalS),
  byteBudgetPerMin: z.number().int().min(256).nullable().default(d.byteBudgetPerMin),
  posBatch: z
    .strictObject({
      maxFixes: z.number().int().min(1).max(500).default(d.posBatchMaxFixes),
      maxAgeS: seconds(1, 3600).default(d.posBatchMaxAgeS),
    })
    .default({ maxFixes: d.posBatchMaxFixes, maxAgeS: d.posBatchMaxAgeS }),
  grazingBatch: z
    .strictObject({
      maxReadings: z.number().int().min(1).max(200).default(d.grazingBatchMaxReadings),
      maxAgeS: seconds(1, 3600).default(d.grazingBatchMaxAgeS),
    })
    .default({ maxReadings: d.grazingBatchMaxReadings, maxAgeS: d.grazingBatchMaxAgeS }),
  maxInflight: z.number().int().min(1).max(1000).default(d.maxInflight),
  reconnect: z
    .strictObject({
      initialMs: z.number().int().min(10).default(d.reconnectInitialMs),
      maxMs: z.number().int().min(100).default(d.reconnectMaxMs),
    })
    .default({ initialMs: d.reconnectInitialMs, maxMs: d.reconnectMaxMs }),
  http: z
    .union([
      z.literal(false),
      z.strictObject({
        host: loopback.default(d.httpHost),
        port: z.number().int().min(0).max(65_535).default(d.httpPort),
        /** Origins of a TV app served elsewhere that may call the SOS endpoints (CORS). */
        allowOrigins: z.array(z.url()).max(10).default([]),
      }),
    ])
    .default({ host: d.httpHost, port: d.httpPort, allowOrigins: [] }),
  inputs: z.array(inputSchema).default([]),
  /**
   * SOS over SMS and BeiDou when MQTT cannot get through (the ladder): a GSM/4G modem's AT port
   * and the hub's SMS number; a BeiDou RDSS terminal's port and the command centre's card address.
   */
  shortMessage: z
    .strictObject({
      modem: z
        .strictObject({
          port: z.string().min(1).describe("the modem's AT port, e.g. /dev/ttyUSB2"),
          to: z
            .string()
            .regex(/^\+?[0-9]{3,20}$/, {
              message: "must be the hub's SMS number, digits with an optional +",
            }),
          mode: z.enum(['pdu', 'text']).default('pdu'),
        })
        .optional(),
      beidou: z
        .strictObject({
          port: z.string().min(1),
          centre: z
            .string()
            .regex(/^[0-9]{1,10}$/, { message: "must be the command centre's BeiDou card address (digits)" }),
        })
        .optional(),
    })
    .default({}),
  log: z
    .strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') })
    .default({ level: 'info' }),
});
export type EdgeConfig = z.infer<typeof edgeConfigSchema>;
export type EdgeConfigInput = z.input<typeof edgeConfigSchema>;

export type ConfigResult = { ok: true; config: EdgeConfig } | { ok: false; errors: string[] };

/** Validates a parsed edge.json; each error names the field, e.g. `hubUrls.1: must be a URL like …`. */
export function parseConfig(value: unknown): ConfigResult {
  const r = edgeConfigSchema.safeParse(value);
  if (r.success) return { ok: true, config: r.data };
  return {
    ok: false,
    errors: r.error.issues.map((i) => {
      const where = i.path.length > 0 ? i.path.join('.') : '(top level)';
      if (i.code === 'unrecognized_keys')
        return `${where}: unknown field(s) ${i.keys.map((k) => JSON.stringify(k)).join(', ')}`;
      return `${where}: ${i.message}`;
    }),
  };
}

/** Reads and validates a config file; errors are prefixed with the file name. Never throws. */
export function loadConfig(path: string): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, errors: [`${path}: cannot read: ${(error as Error).message}`] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`${path}: not valid JSON: ${(error as Error).message}`] };
  }
  const r = parseConfig(value);
  return r.ok ? r : { ok: false, errors: r.errors.map((e) => `${path}: ${e}`) };
}
