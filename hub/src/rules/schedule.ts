import { z } from 'zod';

/**
 * When a grazing ban or rest-grazing period applies. Days are local calendar days (the rules'
 * `timeZoneOffsetMin`, China Standard Time by default) and both ends are inclusive: a spring
 * rest-grazing `04-01`..`05-31` is in force from 00:00 on 1 April to 24:00 on 31 May, every year.
 */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const monthDay = z
  .string()
  .regex(/^\d{2}-\d{2}$/, { message: 'must be MM-DD, e.g. 04-01' })
  .refine(
    (s) => {
      const [m, d] = s.split('-').map(Number) as [number, number];
      return m >= 1 && m <= 12 && d >= 1 && d <= DAYS_IN_MONTH[m - 1]!;
    },
    { message: 'is not a calendar day' },
  );
const isoDate = z.iso.date({ message: 'must be a date YYYY-MM-DD, e.g. 2025-04-01' });

export const periodSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('always') }).strict(),
  z
    .object({
      type: z.literal('yearly'),
      from: monthDay.describe('first day, every year'),
      to: monthDay.describe('last day (inclusive); before `from` means the period spans the new year'),
    })
    .strict(),
  z
    .object({ type: z.literal('dates'), from: isoDate, to: isoDate.describe('last day (inclusive)') })
    .strict()
    .refine((p) => p.from <= p.to, { message: '`to` must not be before `from`', path: ['to'] }),
]);
export type Period = z.infer<typeof periodSchema>;

/** The local calendar day of `t` as YYYY-MM-DD and MM-DD (string order is date order). */
export function localDay(t: number, tzOffsetMin: number): { date: string; monthDay: string } {
  const date = new Date(t + tzOffsetMin * 60_000).toISOString().slice(0, 10);
  return { date, monthDay: date.slice(5) };
}

export function periodActive(p: Period, day: { date: string; monthDay: string }): boolean {
  switch (p.type) {
    case 'always':
      return true;
    case 'dates':
      return day.date >= p.from && day.date <= p.to;
    case 'yearly':
      return p.from <= p.to
        ? day.monthDay >= p.from && day.monthDay <= p.to
        : day.monthDay >= p.from || day.monthDay <= p.to;
  }
}

/** Is any of `periods` in force at time `t` (epoch ms)? */
export function activeAt(periods: readonly Period[], t: number, tzOffsetMin: number): boolean {
  const day = localDay(t, tzOffsetMin);
  return periods.some((p) => periodActive(p, day));
}
