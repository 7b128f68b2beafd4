import { z } from 'zod';
import { envelopeShape, incidentStateSchema, textsSchema } from '../common.ts';
import { messageIdSchema } from '../ids.ts';

/**
 * `sl/v1/{deviceId}/down/sos-ack` — feedback to the household on every state change of its
 * incident: who has it and what happens, shown on the same screen the herder pressed SOS on.
 */
export const sosAckSchema = z.object({
  ...envelopeShape,
  incidentId: messageIdSchema,
  sosId: messageIdSchema.describe('id of the SOS message this answers'),
  state: incidentStateSchema,
  by: z
    .object({
      name: z.string().min(1).max(120),
      role: z.string().min(1).max(64),
      phone: z.string().max(32).optional(),
    })
    .optional(),
  rescue: z.enum(['helicopter', 'ambulance', 'patrol', 'neighbour', 'worker']).optional(),
  texts: textsSchema,
  /** Set on every sos-ack of a drill (an exercise a duty officer started): the TV page says so. */
  drill: z
    .literal(true)
    .optional()
    .describe('a drill: an exercise started by a duty officer, not a real emergency'),
});
export type SosAck = z.infer<typeof sosAckSchema>;
