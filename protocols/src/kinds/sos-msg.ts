import { z } from 'zod';
import { envelopeShape } from '../common.ts';
import { messageIdSchema } from '../ids.ts';
import { shortTextSchema } from './sos-reply.ts';

/**
 * `sl/v1/{deviceId}/down/sos-msg` — a responder's short text to the household during its SOS
 * (from the worker's phone or the duty board), shown on the TV page. The box answers with a
 * `sos-reply` of type `read` once it has shown it.
 */
export const sosMsgSchema = z.object({
  ...envelopeShape,
  incidentId: messageIdSchema,
  sosId: messageIdSchema.describe('id of the SOS raise this conversation belongs to'),
  from: z.object({
    name: z.string().min(1).max(120),
    role: z.string().min(1).max(64),
  }),
  text: shortTextSchema,
  drill: z.literal(true).optional().describe('part of a drill: the TV page says so'),
});
export type SosMsg = z.infer<typeof sosMsgSchema>;
