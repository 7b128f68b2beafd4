import { INCIDENT_STATES } from '@steppelink/protocols';

/**
 * Every `type` an incident's timeline line can have: the steps the hub records (with their `data`)
 * and each state an incident enters. The dashboard renders each from its type and data in the
 * reader's language (the `note` beside it is a log line, not for display); a test keeps this list
 * and the `record(...)` calls in this folder in step, and the dashboard's catalogues keep one text
 * per type.
 */
export const TIMELINE_STEPS = [
  'open', // data: { key, unit, chain }
  'late', // data: { lateMs, sourceTs, receivedAt }
  'unrouted',
  'pressed-again', // data: { presses, ts }
  'late-press', // data: { msgId, ts, receivedAt, closedAt }
  'paged', // data: { unit, role, people, ackBy, mode }
  'skipped', // data: { unit, role, reason }
  'escalated', // data: { from, people, cause: 'timeout' | 'declined' | 'unreachable' }
  'reminded', // data: { reminder, people }
  'reescalated',
  'top-reached',
  'reminders-exhausted',
  'unreachable', // data: { people }
  'declined',
  'first-response',
  'message', // data: { id, from: 'household' | 'responder', via: 'mqtt' | 'http', canned?, text? }: the SOS conversation (actor: who said it)
  'message-read', // data: { messageId, from: who wrote the message read }: the box showed it, or a phone opened it
  'sos-path', // data: { path: 'mqtt' | 'sms' | 'beidou', sosId, from? }: a copy of the SOS arrived over this path
] as const;

export const TIMELINE_TYPES = [...TIMELINE_STEPS, ...INCIDENT_STATES] as const;
export type TimelineType = (typeof TIMELINE_TYPES)[number];
