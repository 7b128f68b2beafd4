import { z } from 'zod';
import { envelopeShape, epochMsSchema, positionSchema, severitySchema, textsSchema } from '../common.ts';
import { messageIdSchema, unitIdSchema } from '../ids.ts';
import { cannedReplySchema, shortTextSchema } from './sos-reply.ts';

export const ALERT_SOURCES = ['sos', 'rule', 'report', 'task'] as const;

/** `sl/v1/worker/{workerId}/alert` — an incident paged to a person's phone, with the deadline to acknowledge. */
export const alertSchema = z.object({
  ...envelopeShape,
  incidentId: messageIdSchema,
  source: z.enum(ALERT_SOURCES),
  category: z.string().min(1).max(64),
  severity: severitySchema,
  summary: textsSchema,
  unit: z.object({ id: unitIdSchema, name: z.string().min(1).max(120) }),
  household: z
    .object({
      id: z.string().min(1).max(64),
      name: z.string().min(1).max(120),
      phone: z.string().max(32).optional(),
    })
    .optional(),
  pos: positionSchema.optional(),
  level: z.number().int().min(0).max(10).describe('escalation level: 0 = grid worker'),
  role: z.string().min(1).max(64).describe('the role this person is paged in'),
  ackBy: epochMsSchema.describe('escalates to the next level if not acknowledged by then'),
  openedAt: epochMsSchema,
  lateMs: z.number().int().min(0).optional().describe('how late the SOS reached the hub'),
  reminder: z.number().int().min(0).optional().describe('0 for the first page, n for the n-th reminder'),
  /**
   * Set when this alert carries the household's reply during its SOS (a `sos-reply`): shaped like
   * a closing notice (asks nothing, `ackBy` = `ts`), its `summary` says the reply in zh/mn/en.
   */
  message: z
    .object({
      id: messageIdSchema.describe("id of the household's sos-reply"),
      canned: cannedReplySchema.optional(),
      text: shortTextSchema.optional(),
    })
    .optional()
    .describe("the household's reply during its SOS; summary carries it in every language"),
});
export type Alert = z.infer<typeof alertSchema>;

/** `sl/v1/worker/{workerId}/ack` — the worker's phone acknowledges (or declines) an alert. */
export const workerAckSchema = z.object({
  ...envelopeShape,
  incidentId: messageIdSchema,
  action: z.enum(['ack', 'decline']).default('ack'),
  note: z.string().max(500).optional(),
});
export type WorkerAck = z.infer<typeof workerAckSchema>;
