import { z } from 'zod';
import { envelopeShape } from '../common.ts';
import { messageIdSchema } from '../ids.ts';

/** `sl/v1/{deviceId}/receipt` — the box got a notice (delivered) or showed it on screen (read). */
export const receiptSchema = z.object({
  ...envelopeShape,
  noticeId: messageIdSchema,
  state: z.enum(['delivered', 'read']),
});
export type Receipt = z.infer<typeof receiptSchema>;
