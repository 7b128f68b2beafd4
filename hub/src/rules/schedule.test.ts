import { describe, expect, it } from 'vitest';
import { activeAt, localDay, periodSchema } from './schedule.ts';

const CST = 480; // China Standard Time
const local = (iso: string) => Date.parse(`${iso}+08:00`);

describe('ban schedules', () => {
  const spring = [periodSchema.parse({ type: 'yearly', from: '04-01', to: '05-31' })];

  it('uses local calendar days: 31 May 23:59 is in the spring rest, 1 June 00:00 is not', () => {
    expect(activeAt(spring, local('2025-05-31T23:59:59'), CST)).toBe(true);
    expect(activeAt(spring, local('2025-06-01T00:00:00'), CST)).toBe(false);
    expect(activeAt(spring, local('2025-03-31T23:59:59'), CST)).toBe(false);
    expect(activeAt(spring, local('2025-04-01T00:00:00'), CST)).toBe(true);
    // 1 June 07:00 local is still 31 May in UTC: the offset matters.
    expect(activeAt(spring, Date.parse('2025-05-31T23:30:00Z'), CST)).toBe(false);
    expect(activeAt(spring, Date.parse('2025-05-31T23:30:00Z'), 0)).toBe(true);
  });

  it('recurs every year and may span the new year', () => {
    expect(activeAt(spring, local('2031-04-15T12:00:00'), CST)).toBe(true);
    const winter = [periodSchema.parse({ type: 'yearly', from: '11-15', to: '02-28' })];
    expect(activeAt(winter, local('2025-12-31T12:00:00'), CST)).toBe(true);
    expect(activeAt(winter, local('2026-01-20T12:00:00'), CST)).toBe(true);
    expect(activeAt(winter, local('2026-03-01T00:00:00'), CST)).toBe(false);
    expect(activeAt(winter, local('2025-11-14T23:59:00'), CST)).toBe(false);
  });

  it('supports fixed date ranges (both ends inclusive) and always', () => {
    const term = [periodSchema.parse({ type: 'dates', from: '2024-01-01', to: '2028-12-31' })];
    expect(activeAt(term, local('2028-12-31T23:59:00'), CST)).toBe(true);
    expect(activeAt(term, local('2029-01-01T00:00:00'), CST)).toBe(false);
    expect(activeAt([periodSchema.parse({ type: 'always' })], 0, CST)).toBe(true);
    expect(localDay(local('2025-02-28T23:00:00'), CST)).toEqual({ date: '2025-02-28', monthDay: '02-28' });
  });

  it('refuses impossible days and inverted ranges with messages that say what to write', () => {
    const bad = periodSchema.safeParse({ type: 'yearly', from: '02-30', to: '04-01' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('is not a calendar day');
    expect(
      periodSchema.safeParse({ type: 'yearly', from: '4-1', to: '05-31' }).error?.issues[0]?.message,
    ).toMatch(/MM-DD/);
    const inverted = periodSchema.safeParse({ type: 'dates', from: '2025-05-01', to: '2025-04-01' });
    expect(inverted.error?.issues[0]).toMatchObject({
      path: ['to'],
      message: '`to` must not be before `from`',
    });
    expect(periodSchema.safeParse({ type: 'yearly', from: '02-29', to: '03-01' }).success).toBe(true);
  });
});
