import { z } from 'zod';
import { batteryPctSchema, envelopeShape, positionSchema, powerSourceSchema } from '../common.ts';
import { messageIdSchema } from '../ids.ts';

export const SOS_CATEGORIES = [
  'medical',
  'injury',
  'fire',
  'lost-person',
  'livestock',
  'blizzard',
  'other',
  'unknown',
] as const;
export const sosCategorySchema = z.enum(SOS_CATEGORIES);
export type SosCategory = z.infer<typeof sosCategorySchema>;

const raise = z.object({
  ...envelopeShape,
  action: z.literal('raise'),
  category: sosCategorySchema.default('unknown'),
  pos: positionSchema.optional(),
  power: z.object({ source: powerSourceSchema, battery: batteryPctSchema.optional() }).optional(),
  note: z.string().max(500).optional().describe('text the household typed on the box'),
  presses: z.number().int().min(1).max(1000).optional().describe('presses folded into this message'),
});

const cancel = z.object({
  ...envelopeShape,
  action: z.literal('cancel'),
  /** The second confirmation on the box ("yes, cancel the rescue call"); a single press never cancels. */
  confirmed: z.literal(true, { message: 'a cancel needs the second confirmation (confirmed: true)' }),
  raiseId: messageIdSchema.optional().describe('id of the raise being cancelled'),
  note: z.string().max(500).optional(),
});

/** `sl/v1/{deviceId}/sos` — a herder's or patrol member's rescue call, or its confirmed cancel. */
export const sosSchema = z.discriminatedUnion('action', [raise, cancel]);
export type Sos = z.infer<typeof sosSchema>;
export type SosInput = z.input<typeof sosSchema>;
