/** Statistics periods, read on the Beijing calendar. */
export type Period = '7d' | '30d' | 'quarter';
const DAY = 86_400_000;

/** [from, to) of a period ending now; a quarter starts on its first day, Beijing time. */
export function periodRange(p: Period, now: number): { from: number; to: number } {
  if (p === '7d') return { from: now - 7 * DAY, to: now };
  if (p === '30d') return { from: now - 30 * DAY, to: now };
  const bj = new Date(now + 8 * 3_600_000); // read the calendar in UTC+8
  const q0 = Math.floor(bj.getUTCMonth() / 3) * 3;
  return { from: Date.UTC(bj.getUTCFullYear(), q0, 1) - 8 * 3_600_000, to: now };
}
