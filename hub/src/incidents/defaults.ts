import type { Severity } from '@steppelink/protocols';
import type { UnitLevel } from '../registry/schema.ts';

const MIN = 60_000;

/** How one severity climbs the levels. */
export interface EscalationPolicy {
  /**
   * Time each level has to acknowledge before the next level is paged, by level index in the
   * chain (grid worker, grid leader, village secretary, station, banner); the last entry repeats.
   */
  ackTimeoutMs: readonly number[];
  /** Reminder to the same level this often while it has not acknowledged (0: no reminders). */
  reminderEveryMs: number;
  /** At the top level, with nobody acknowledging: reminders this often, at most `topReminders` times. */
  topReminderEveryMs: number;
  topReminders: number;
  /** Acknowledged but not dispatched (or resolved) within this: page the next level (null: never). */
  dispatchTimeoutMs: number | null;
}

export const DEFAULT_POLICY: Record<Severity, EscalationPolicy> = {
  // SOS: a herder in a blizzard. 3 min for the grid worker, then up; reminders every minute.
  critical: {
    ackTimeoutMs: [3 * MIN, 3 * MIN, 5 * MIN, 5 * MIN, 10 * MIN],
    reminderEveryMs: 1 * MIN,
    topReminderEveryMs: 5 * MIN,
    topReminders: 12,
    dispatchTimeoutMs: 15 * MIN,
  },
  // Border crossing, man-down, herd near the border: urgent but usually not life-threatening at once.
  high: {
    ackTimeoutMs: [10 * MIN, 10 * MIN, 15 * MIN, 20 * MIN, 30 * MIN],
    reminderEveryMs: 5 * MIN,
    topReminderEveryMs: 15 * MIN,
    topReminders: 8,
    dispatchTimeoutMs: 60 * MIN,
  },
  // Strays, grazing-ban breaches, disputes: same working day.
  medium: {
    ackTimeoutMs: [60 * MIN, 2 * 60 * MIN, 4 * 60 * MIN, 8 * 60 * MIN],
    reminderEveryMs: 30 * MIN,
    topReminderEveryMs: 4 * 60 * MIN,
    topReminders: 3,
    dispatchTimeoutMs: null,
  },
  // Low battery, unread notices, livelihood requests: within a day or two, no reminders.
  low: {
    ackTimeoutMs: [24 * 60 * MIN, 48 * 60 * MIN],
    reminderEveryMs: 0,
    topReminderEveryMs: 24 * 60 * MIN,
    topReminders: 1,
    dispatchTimeoutMs: null,
  },
};

export const INCIDENT_DEFAULTS = {
  policy: DEFAULT_POLICY,
  /** The highest level alerts climb to: the banner command platform (旗指挥平台). */
  chainTop: 'banner' as UnitLevel,
  /** Presses from the same household this close together are one emergency, counted silently. */
  repeatWindowMs: 10 * MIN,
  /** With nobody on duty at any level, try routing again this often (and say so in the timeline). */
  rerouteEveryMs: 5 * MIN,
  /**
   * After an SOS incident closed, a press of it resent late (received within this, stamped within
   * the presses it counted) folds in with a recorded reason; any other press opens a new incident.
   */
  latePressWindowMs: 2 * MIN,
  /** An SOS older than this on arrival is marked late in the alert and the timeline. */
  lateAfterMs: 30_000,
  /** Positions kept per incident (the newest; older ones are thinned away). */
  maxPositionsPerIncident: 2_000,
  /** Page the webhook (SMS/voice gateway) too, when one is configured. */
  webhookForAllLevels: true,
  timeZone: 'Asia/Shanghai',
} as const;

/** Delivery retries (webhook gateway, publish failures): exponential backoff with jitter, bounded. */
export const DELIVERY_DEFAULTS = {
  /** First retry after about this long (jittered down to half). */
  baseDelayMs: 2_000,
  /** Backoff doubles up to this cap. */
  maxDelayMs: 5 * MIN,
  /** Give up (status `failed`) after this many attempts. */
  maxAttempts: 8,
  /** One HTTP attempt may take this long. */
  requestTimeoutMs: 10_000,
  /** Deliveries sent at once; more wait in the table (bounded by the table, never dropped). */
  concurrency: 8,
  /** Rows taken per drain round. */
  batch: 200,
  /**
   * A worker's app page not delivered (no PUBACK from the phone) within this goes to the SMS/voice
   * gateway; when no channel has delivered a level's page by then (and the gateway has answered),
   * that level counts as unreachable and escalation moves on at once.
   */
  fallbackAfterMs: 15_000,
};

/** Scheduled jobs (node-cron expressions, evaluated in `timeZone`). */
export const JOB_DEFAULTS = {
  /** Look for upcoming handovers every 5 minutes... */
  handoverCron: '*/5 * * * *',
  /** ...and tell the incoming worker this long before the shift starts. */
  handoverLeadMs: 30 * MIN,
  /** Daily duty summary per township at 07:30 local time. */
  summaryCron: '30 7 * * *',
  /** Retention at 03:40 local time. */
  retentionCron: '40 3 * * *',
  /** Closed incidents (with timeline and deliveries) are kept this long: assessments look back a year. */
  keepClosedIncidentsMs: 400 * 24 * 60 * MIN,
  /** Delivery rows of handover notices and summaries are kept this long. */
  keepDutyMessagesMs: 60 * 24 * 60 * MIN,
  /** Overrides that ended this long ago are removed. */
  keepOverridesMs: 180 * 24 * 60 * MIN,
  /** Rows deleted per statement, so retention never holds the write lock for long. */
  retentionChunk: 2_000,
};
