import { incidentStateSchema, sosCategorySchema, type Texts, textsSchema } from '@steppelink/protocols';
import { z } from 'zod';
import { receivedBy, SOS_TEXTS } from './texts.ts';

export const SOS_STATES = [
  'idle',
  /** Pressed, but the raise could not be written to the outbox yet (full or failing disk). */
  'unsaved',
  'sending',
  'delivered',
  'acknowledged',
  'confirm-cancel',
  'cancelling',
  'closed',
] as const;
export type SosState = (typeof SOS_STATES)[number];

export const sosStatusSchema = z.object({
  state: z.enum(SOS_STATES),
  /** State to go back to when a cancel is not confirmed in time. */
  resume: z.enum(SOS_STATES).optional(),
  raiseIds: z.array(z.string()).max(50),
  cancelId: z.string().optional(),
  incidentId: z.string().optional(),
  pressedAt: z.number().optional(),
  lastRaiseAt: z.number().optional(),
  presses: z.number().int().min(0),
  unsentPresses: z.number().int().min(0),
  deliveredAt: z.number().optional(),
  confirmBy: z.number().optional(),
  ack: z
    .object({
      state: incidentStateSchema,
      at: z.number(),
      by: z.object({ name: z.string(), role: z.string(), phone: z.string().optional() }).optional(),
      texts: textsSchema,
    })
    .optional(),
  closedReason: z.enum(['cancelled', 'resolved', 'false-alarm']).optional(),
  /** The hub marks every sos-ack of a drill (an officer's exercise): the TV says it is not a real emergency. */
  drill: z.literal(true).optional(),
  /** What the household pressed (the short message carries it). */
  category: sosCategorySchema.optional(),
  /** The path the hub's answer first came over: the box's MQTT link, an SMS, or BeiDou. */
  via: z.enum(['mqtt', 'sms', 'beidou']).optional(),
  /** The short-message paths the SOS was also sent over while MQTT could not get it through. */
  sentVia: z
    .array(z.enum(['sms', 'beidou']))
    .max(2)
    .optional(),
});
export type SosInternal = z.infer<typeof sosStatusSchema>;

/** What the TV app polls (GET /sos/status): the state and the sentence to show. */
export interface SosStatus
  extends Omit<SosInternal, 'resume' | 'unsentPresses' | 'lastRaiseAt' | 'cancelId'> {
  message: Texts;
}

export type SosResult =
  | { ok: true; status: SosStatus }
  | {
      ok: false;
      code: 'nothing-to-cancel' | 'not-asked' | 'write-failed';
      message: string;
      status: SosStatus;
    };

/** The sentence the TV shows for a status. */
export function sosMessage(s: SosInternal): Texts {
  switch (s.state) {
    case 'idle':
      return SOS_TEXTS.idle;
    case 'unsaved':
      return SOS_TEXTS.unsaved;
    case 'sending':
      return SOS_TEXTS.sending;
    case 'delivered':
      return s.ack?.texts ?? SOS_TEXTS.delivered;
    case 'acknowledged':
      return s.ack?.texts ?? (s.ack?.by ? receivedBy(s.ack.by.name) : SOS_TEXTS.delivered);
    case 'confirm-cancel':
      return SOS_TEXTS.confirmCancel;
    case 'cancelling':
      return SOS_TEXTS.cancelling;
    case 'closed':
      return s.closedReason === 'cancelled' && !s.ack
        ? SOS_TEXTS.cancelled
        : (s.ack?.texts ?? SOS_TEXTS.closed);
  }
}
