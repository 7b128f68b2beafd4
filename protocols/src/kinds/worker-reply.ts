import { z } from 'zod';
import { envelopeShape } from '../common.ts';
import { messageIdSchema } from '../ids.ts';
import { shortTextSchema } from './sos-reply.ts';

const say = z.object({
  ...envelopeShape,
  type: z.literal('say'),
  incidentId: messageIdSchema,
  text: shortTextSchema,
});
const read = z.object({
  ...envelopeShape,
  type: z.literal('read'),
  incidentId: messageIdSchema,
  messageId: messageIdSchema.describe("id of the household's sos-reply the phone showed (alert.message.id)"),
});

/**
 * `sl/v1/worker/{workerId}/reply` — a responder's phone in the SOS conversation: a short text
 * for the household's box (`say`; its `id` is the message id, applied once), or the phone's read
 * receipt for the household's reply it showed (`read`).
 */
export const workerReplySchema = z.discriminatedUnion('type', [say, read]);
export type WorkerReply = z.infer<typeof workerReplySchema>;
