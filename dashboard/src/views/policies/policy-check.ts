import type { PolicyValues } from '../../api/policies.ts';

const S = 1000;
const MIN = 60 * S;
const DAY = 24 * 60 * MIN;

/**
 * The hub's limits on a policy (hub/src/incidents/policy.ts, `escalationPolicySchema`), checked
 * here before the form is sent so the officer reads what to fix beside the field; a property test
 * (policy-check.test.ts) keeps this and the hub's schema accepting exactly the same policies.
 */
export const POLICY_LIMITS = {
  /** MIN_ACK_WINDOW_MS: shorter pages the next level before a phone on a weak link could answer. */
  ackWindowMinMs: 30 * S,
  reminderMinMs: 30 * S,
  topReminderMinMs: MIN,
  dispatchMinMs: MIN,
  maxMs: 7 * DAY,
  minLevels: 1,
  maxLevels: 10, // the chain has at most that many levels
  maxTopReminders: 100,
} as const;

export type PolicyField =
  | 'ackTimeoutMs'
  | 'reminderEveryMs'
  | 'topReminderEveryMs'
  | 'topReminders'
  | 'dispatchTimeoutMs';

/** One thing to fix; `level` for one ack window; `limit` in ms (a count for `levels` and `count`). */
export interface PolicyIssue {
  field: PolicyField;
  level?: number;
  problem: 'number' | 'min' | 'max' | 'levels' | 'count';
  limit?: number;
}

function span(field: PolicyField, ms: number, minMs: number, level?: number): PolicyIssue[] {
  const at = level === undefined ? {} : { level };
  if (!Number.isInteger(ms)) return [{ field, ...at, problem: 'number' }];
  if (ms < minMs) return [{ field, ...at, problem: 'min', limit: minMs }];
  if (ms > POLICY_LIMITS.maxMs) return [{ field, ...at, problem: 'max', limit: POLICY_LIMITS.maxMs }];
  return [];
}

/** What the hub would refuse in this policy (nothing: it will take it). */
export function checkPolicy(p: PolicyValues): PolicyIssue[] {
  const L = POLICY_LIMITS;
  const out: PolicyIssue[] = [];
  const n = p.ackTimeoutMs.length;
  if (n < L.minLevels || n > L.maxLevels)
    out.push({ field: 'ackTimeoutMs', problem: 'levels', limit: L.maxLevels });
  p.ackTimeoutMs.forEach((ms, level) => {
    out.push(...span('ackTimeoutMs', ms, L.ackWindowMinMs, level));
  });
  if (p.reminderEveryMs !== 0) out.push(...span('reminderEveryMs', p.reminderEveryMs, L.reminderMinMs));
  out.push(...span('topReminderEveryMs', p.topReminderEveryMs, L.topReminderMinMs));
  const c = p.topReminders;
  if (!Number.isInteger(c) || c < 0 || c > L.maxTopReminders)
    out.push({ field: 'topReminders', problem: 'count', limit: L.maxTopReminders });
  if (p.dispatchTimeoutMs !== null)
    out.push(...span('dispatchTimeoutMs', p.dispatchTimeoutMs, L.dispatchMinMs));
  return out;
}

/** What an officer typed in minutes (`1.5`, `1,5`) as whole seconds in ms; NaN when it is no number. */
export function minutesToMs(text: string): number {
  const s = text.trim().replace(',', '.');
  if (s === '' || !/^-?\d*\.?\d+$/.test(s)) return Number.NaN;
  return Math.round(Number(s) * 60) * 1000;
}

/** ms as minutes for an input (`0.5`, `3`, `1440`). */
export function msToMinutes(ms: number): string {
  return String(Math.round((ms / MIN) * 1000) / 1000);
}
