import { z } from 'zod';
import { messageIdSchema } from './ids.ts';

/** Bounds of a source time: 2001-01-01 and 2100-01-01 UTC, in epoch ms. */
export const EPOCH_MIN_MS = 978_307_200_000;
export const EPOCH_MAX_MS = 4_102_444_800_000;

/** Epoch milliseconds at the source. Bounded to 2001..2100 so a seconds-vs-ms mix-up is caught. */
export const epochMsSchema = z
  .number()
  .int()
  .min(EPOCH_MIN_MS, { message: 'must be epoch milliseconds (looks like seconds or is before 2001)' })
  .max(EPOCH_MAX_MS, { message: 'must be epoch milliseconds before 2100' });

export const latSchema = z.number().min(-90).max(90).describe('WGS-84 latitude, degrees');
export const lonSchema = z.number().min(-180).max(180).describe('WGS-84 longitude, degrees');

export const positionSchema = z.object({
  lat: latSchema,
  lon: lonSchema,
  acc: z.number().min(0).max(100_000).optional().describe('horizontal accuracy, metres'),
});
export type Position = z.infer<typeof positionSchema>;

/** Everything a herder or officer reads comes in Chinese, Mongolian (traditional script) and English. */
export const LANGS = ['zh', 'mn', 'en'] as const;
export const langSchema = z.enum(LANGS);
export type Lang = z.infer<typeof langSchema>;
const text = z.string().min(1).max(2000);
export const textsSchema = z.object({ zh: text, mn: text, en: text });
export type Texts = z.infer<typeof textsSchema>;

export const powerSourceSchema = z.enum(['mains', 'battery', 'solar']);
export type PowerSource = z.infer<typeof powerSourceSchema>;
export const batteryPctSchema = z.number().min(0).max(100);

/** The fields every message carries: schema version, idempotency key, source time. */
export const envelopeShape = {
  v: z.literal(1).describe('schema version'),
  id: messageIdSchema.describe('unique message id, the idempotency key'),
  ts: epochMsSchema.describe('epoch ms at the source'),
};

export const INCIDENT_STATES = [
  'open',
  'notified',
  'acknowledged',
  'dispatched',
  'resolved',
  'cancelled',
  'false-alarm',
] as const;
export const incidentStateSchema = z.enum(INCIDENT_STATES);
export type IncidentState = z.infer<typeof incidentStateSchema>;

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export const severitySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof severitySchema>;
