import { z } from 'zod';
import { batteryPctSchema, envelopeShape, powerSourceSchema } from '../common.ts';

/** `sl/v1/{deviceId}/hb` — heartbeat with the device's health. */
export const hbSchema = z.object({
  ...envelopeShape,
  agent: z.string().min(1).max(32).describe('edge agent version'),
  fw: z.string().max(64).optional().describe('firmware or OS version'),
  uptimeS: z.number().int().min(0),
  power: powerSourceSchema,
  battery: batteryPctSchema.optional(),
  rssi: z.number().min(-150).max(0).optional().describe('signal strength, dBm'),
  outbox: z.number().int().min(0).describe('messages waiting in the durable outbox'),
  evicted: z.number().int().min(0).optional().describe('telemetry evicted from the outbox since start'),
  clockOffsetMs: z.number().int().optional().describe('device clock minus GPS/hub time, as last observed'),
  storage: z
    .enum(['ok', 'full', 'failing'])
    .optional()
    .describe('outbox storage: full (disk full, telemetry refused) or failing (I/O errors)'),
  refused: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('telemetry items refused for lack of storage since start'),
});
export type Heartbeat = z.infer<typeof hbSchema>;
