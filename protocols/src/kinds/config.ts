import { z } from 'zod';
import { envelopeShape, langSchema } from '../common.ts';

/** `sl/v1/{deviceId}/down/config` — settings the hub pushes to a device. Absent fields keep their value. */
export const configSchema = z.object({
  ...envelopeShape,
  hbIntervalS: z.number().int().min(10).max(86_400).optional(),
  posIntervalS: z.number().int().min(1).max(3600).optional(),
  byteBudgetPerMin: z.number().int().min(256).max(10_000_000).optional(),
  lang: langSchema.optional(),
});
export type DeviceConfig = z.infer<typeof configSchema>;
