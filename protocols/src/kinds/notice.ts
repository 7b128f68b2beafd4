import { z } from 'zod';
import { envelopeShape, epochMsSchema, textsSchema } from '../common.ts';
import { messageIdSchema, unitIdSchema } from '../ids.ts';

export const NOTICE_PRIORITIES = ['emergency', 'warning', 'information'] as const;
export const noticePrioritySchema = z.enum(NOTICE_PRIORITIES);
export type NoticePriority = z.infer<typeof noticePrioritySchema>;

/**
 * `sl/v1/unit/{unitId}/notice` (broadcast) or `sl/v1/{deviceId}/down/notice` (one box):
 * a notice for households' TV boxes. The same notice may reach a box twice (unit topics of
 * several levels, redelivery); `noticeId` is what the box deduplicates and receipts on.
 */
export const noticeSchema = z
  .object({
    ...envelopeShape,
    noticeId: messageIdSchema,
    priority: noticePrioritySchema,
    validFrom: epochMsSchema,
    expiresAt: epochMsSchema,
    texts: textsSchema,
    requireRead: z.boolean().default(false),
    audio: z.string().max(200).optional().describe('hint for a spoken or sound cue, e.g. "siren"'),
    issuer: z.object({ unitId: unitIdSchema, name: z.string().min(1).max(120) }).optional(),
  })
  .refine((n) => n.expiresAt > n.validFrom, {
    message: 'expiresAt must be after validFrom',
    path: ['expiresAt'],
  });
export type Notice = z.infer<typeof noticeSchema>;
