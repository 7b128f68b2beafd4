import { SEVERITIES, type Severity, unitIdSchema } from '@steppelink/protocols';
import { z } from 'zod';
import { DEFAULT_POLICY, type EscalationPolicy } from './defaults.ts';

/**
 * Escalation policies as data (issue #24): per severity, optionally per unit, inherited down the
 * unit tree (a banner's policy holds for its sumus, gachas and grids unless one of them has its
 * own). Without any, DEFAULT_POLICY holds (README, "Escalation policies"). A policy is copied
 * onto an incident when it is raised (`Incident.policy`), so editing one changes new incidents
 * only; drills carry their own short one.
 */

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/**
 * An ack window shorter than this pages the next level before a phone on a weak link could
 * answer: the SMS fallback alone waits 15 s (DELIVERY_DEFAULTS.fallbackAfterMs).
 */
export const MIN_ACK_WINDOW_MS = 30_000;

const window = (what: string, min: number) =>
  z
    .number()
    .int(`${what} must be whole milliseconds`)
    .min(min, `${what} must be at least ${min / 1000} s`)
    .max(7 * DAY, `${what} must be at most 7 days`);

/** One severity's escalation, validated (every limit is named in its error). */
export const escalationPolicySchema = z
  .object({
    ackTimeoutMs: z
      .array(window('an ack window', MIN_ACK_WINDOW_MS))
      .min(1, 'give at least one ack window (the grid worker’s)')
      .max(10, 'at most 10 ack windows: the chain has at most that many levels')
      .describe(
        'Time each level has to acknowledge before the next is paged, nearest level first; the last repeats',
      ),
    reminderEveryMs: z
      .union([z.literal(0), window('reminderEveryMs', MIN_ACK_WINDOW_MS)])
      .describe('Page the same level again this often while it has not acknowledged (0: never)'),
    topReminderEveryMs: window('topReminderEveryMs', MIN).describe(
      'At the top of the chain, with nobody acknowledging: remind this often…',
    ),
    topReminders: z.number().int().min(0).max(100).describe('…at most this many times'),
    dispatchTimeoutMs: window('dispatchTimeoutMs', MIN)
      .nullable()
      .describe('Acknowledged but not dispatched within this: re-escalate to the next level (null: never)'),
  })
  .strict();

export type PolicyInput = z.input<typeof escalationPolicySchema>;

/** One stored policy: a severity's escalation for a unit and everything under it (`unit` null: league-wide). */
export const policyEntrySchema = z
  .object({
    unit: unitIdSchema.nullable().default(null),
    severity: z.enum(SEVERITIES),
    policy: escalationPolicySchema,
  })
  .strict();
export type PolicyEntry = z.output<typeof policyEntrySchema>;

/** The registry document's `policies` section. */
export const policiesSectionSchema = z.array(policyEntrySchema).max(10_000);

/** A policy as an incident carries it: the values, and where they came from. */
export interface IncidentPolicy extends EscalationPolicy {
  /** `default`, `drill`, or `unit:{unit|*}:{severity}@{version}` of the stored policy. */
  source: string;
}

export interface StoredPolicy extends PolicyEntry {
  version: number;
  updatedBy: string | null;
  updatedAt: number;
}

/**
 * The policy for a new incident at a unit: the stored one of the nearest unit up the tree
 * (`chain`: the unit first, then its ancestors), else the league-wide stored one, else the default.
 */
export function resolvePolicy(
  stored: (unit: string | null, severity: Severity) => StoredPolicy | undefined,
  chain: readonly string[],
  severity: Severity,
): IncidentPolicy {
  for (const unit of [...chain, null]) {
    const p = stored(unit, severity);
    if (p) return { ...p.policy, source: `unit:${p.unit ?? '*'}:${severity}@${p.version}` };
  }
  return { ...DEFAULT_POLICY[severity], source: 'default' };
}

/**
 * A drill's escalation: the real chain with windows short enough to walk it during an exercise
 * (1 min per level, no reminders, no re-escalation after ack).
 */
export const DRILL_POLICY: IncidentPolicy = {
  ackTimeoutMs: [MIN],
  reminderEveryMs: 0,
  topReminderEveryMs: 5 * MIN,
  topReminders: 1,
  dispatchTimeoutMs: null,
  source: 'drill',
};
