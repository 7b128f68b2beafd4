import { noticePrioritySchema, textsSchema, unitIdSchema } from '@steppelink/protocols';
import { z } from 'zod';

const HOUR_MS = 3_600_000;

/** What an officer submits to broadcast a notice (POST /api/notices). */
export const noticeDraftSchema = z
  .object({
    targets: z.array(unitIdSchema).min(1).max(200),
    priority: noticePrioritySchema,
    texts: textsSchema,
    /** Epoch ms or ISO time; omitted = now. */
    validFrom: z.union([z.number().int(), z.iso.datetime({ offset: true })]).optional(),
    /** Epoch ms or ISO time; omitted = validFrom + durationHours. */
    expiresAt: z.union([z.number().int(), z.iso.datetime({ offset: true })]).optional(),
    durationHours: z
      .number()
      .min(0.25)
      .max(24 * 366)
      .default(48),
    requireRead: z.boolean().optional(),
    /** Emergency notices not read this long after they start become a task for the grid worker. */
    readDeadlineMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .optional(),
    audio: z.string().max(200).optional(),
  })
  .strict();
export type NoticeDraft = z.infer<typeof noticeDraftSchema>;

/** A recurring notice (POST /api/notice-schedules): e.g. each year's rest-grazing season. */
export const noticeScheduleSchema = z
  .object({
    cron: z.string().min(9).max(100),
    timezone: z.string().default('Asia/Shanghai'),
    template: noticeDraftSchema.omit({ validFrom: true, expiresAt: true }),
  })
  .strict();
export type NoticeScheduleInput = z.infer<typeof noticeScheduleSchema>;

export const toMs = (v: number | string | undefined, fallback: number): number =>
  v === undefined ? fallback : typeof v === 'number' ? v : Date.parse(v);

/** Defaults, each explained. */
export const BROADCAST_DEFAULTS = {
  emergencyReadDeadlineMs: 2 * HOUR_MS, // an unread emergency notice becomes a visit task after this
  maxActiveScheduled: 500, // bound on pending scheduled notices, so a runaway client can't fill memory
  timezone: 'Asia/Shanghai',
};
