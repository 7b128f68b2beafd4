import { z } from 'zod';
import { batteryPctSchema, envelopeShape, epochMsSchema, positionSchema } from '../common.ts';

const sensorId = z.string().min(1).max(64);

const collar = z.object({
  type: z.literal('collar'),
  t: epochMsSchema,
  collarId: sensorId,
  battery: batteryPctSchema,
  activity: z.number().min(0).max(100).describe('activity index 0..100 over the last interval'),
  pos: positionSchema.optional(),
});
const water = z.object({
  type: z.literal('water'),
  t: epochMsSchema,
  pointId: sensorId,
  levelPct: z.number().min(0).max(100),
  frozen: z.boolean().optional(),
});
const gate = z.object({
  type: z.literal('gate'),
  t: epochMsSchema,
  gateId: sensorId,
  headCount: z.number().int().min(0).max(100_000).describe('animals counted'),
  direction: z.enum(['in', 'out', 'net']).default('net'),
});
const motion = z.object({
  type: z.literal('motion'),
  t: epochMsSchema,
  cameraId: sensorId,
  events: z.number().int().min(0).max(10_000),
  label: z.enum(['animal', 'person', 'vehicle', 'unknown']).default('unknown'),
});

export const grazingReadingSchema = z.discriminatedUnion('type', [collar, water, gate, motion]);
export type GrazingReading = z.infer<typeof grazingReadingSchema>;

/** `sl/v1/{deviceId}/grazing` — remote-grazing readings relayed by a household box or collar relay. */
export const grazingSchema = z.object({
  ...envelopeShape,
  readings: z.array(grazingReadingSchema).min(1).max(200),
});
export type Grazing = z.infer<typeof grazingSchema>;
