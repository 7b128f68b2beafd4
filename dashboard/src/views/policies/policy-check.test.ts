import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escalationPolicySchema } from '../../../../hub/src/incidents/policy.ts';
import type { PolicyValues } from '../../api/policies.ts';
import { checkPolicy, minutesToMs, msToMinutes, POLICY_LIMITS } from './policy-check.ts';

const DAY = 86_400_000;
/** Around every limit, inside and out, and numbers that are no whole ms. */
const ms = fc.oneof(
  fc.constantFrom(0, 29_999, 30_000, 59_999, 60_000, 7 * DAY, 7 * DAY + 1, -60_000, 1.5, Number.NaN),
  fc.integer({ min: -1000, max: 8 * DAY }),
);
const policy: fc.Arbitrary<PolicyValues> = fc.record({
  ackTimeoutMs: fc.array(ms, { minLength: 0, maxLength: 12 }),
  reminderEveryMs: fc.oneof(fc.constant(0), ms),
  topReminderEveryMs: ms,
  topReminders: fc.oneof(fc.integer({ min: -2, max: 102 }), fc.constant(2.5)),
  dispatchTimeoutMs: fc.oneof(fc.constant(null), ms),
});
const where = (path: readonly PropertyKey[]) => path.map(String).join('.');

describe('the policy form’s checks mirror the hub’s schema', () => {
  it('accept exactly what the hub accepts, and flag the same fields', () => {
    fc.assert(
      fc.property(policy, (p) => {
        const mine = checkPolicy(p);
        const hub = escalationPolicySchema.safeParse(p);
        expect(mine.length === 0).toBe(hub.success);
        const hubFields = new Set(hub.success ? [] : hub.error.issues.map((i) => where(i.path)));
        const myFields = new Set(
          mine.map((i) => (i.level === undefined ? i.field : `${i.field}.${i.level}`)),
        );
        expect(myFields).toEqual(hubFields);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads minutes as typed, to whole seconds', () => {
    expect(minutesToMs('3')).toBe(180_000);
    expect(minutesToMs(' 1,5 ')).toBe(90_000);
    expect(minutesToMs('0.5')).toBe(POLICY_LIMITS.ackWindowMinMs);
    expect(minutesToMs('0.0001')).toBe(0);
    expect(minutesToMs('')).toBeNaN();
    expect(minutesToMs('3 min')).toBeNaN();
    expect(msToMinutes(90_000)).toBe('1.5');
    expect(minutesToMs(msToMinutes(2 * 3_600_000))).toBe(2 * 3_600_000);
  });
});
