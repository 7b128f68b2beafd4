/**
 * GNSS dates the receiver cannot state unambiguously, resolved against a trusted clock.
 *
 * NMEA RMC carries a two-digit year, and receivers past a GPS week rollover (the 10-bit week
 * number wraps every 1024 weeks, last on 2019-04-06) report dates 1024 weeks (≈19.6 years) too
 * early; gpsd in turn sometimes adds 1024 weeks to a date that was right. The trusted clock (the
 * system clock, never earlier than the agent's build) is good to months, these errors are
 * decades: the candidate nearest the trusted clock is the real date. Pure functions.
 */

export const DAY_MS = 86_400_000;
/** One GPS week-number era: 1024 weeks. */
export const GPS_ERA_MS = 1024 * 7 * DAY_MS;

/** The candidate of `t + k·1024 weeks` (|k| ≤ 4) nearest `trustedMs`. */
export function nearestEra(t: number, trustedMs: number): number {
  let best = t;
  for (let k = -4; k <= 4; k++) {
    const c = t + k * GPS_ERA_MS;
    if (Math.abs(c - trustedMs) < Math.abs(best - trustedMs)) best = c;
  }
  return best;
}

/**
 * The UTC midnight (epoch ms) of an NMEA `ddmmyy` date, its century and week era chosen so that
 * `midnight + todMs` is nearest `trustedMs`; undefined for an impossible date.
 */
export function resolveNmeaDate(ddmmyy: string, todMs: number, trustedMs: number): number | undefined {
  if (!/^\d{6}$/.test(ddmmyy)) return undefined;
  const d = Number(ddmmyy.slice(0, 2));
  const m = Number(ddmmyy.slice(2, 4));
  const yy = Number(ddmmyy.slice(4, 6));
  if (d < 1 || d > 31 || m < 1 || m > 12) return undefined;
  let best: number | undefined;
  for (const century of [1900, 2000, 2100]) {
    const midnight = Date.UTC(century + yy, m - 1, d);
    if (new Date(midnight).getUTCDate() !== d) continue; // 31 February, or 29 February of a century year that has none (1900, 2100)
    const t = nearestEra(midnight + todMs, trustedMs);
    if (best === undefined || Math.abs(t - trustedMs) < Math.abs(best - trustedMs)) best = t;
  }
  return best === undefined ? undefined : best - todMs;
}

/** The UTC midnight of a four-digit-year date (ZDA), week era resolved; undefined if impossible. */
export function resolveFullDate(
  d: number,
  m: number,
  y: number,
  todMs: number,
  trustedMs: number,
): number | undefined {
  if (!Number.isInteger(d) || !Number.isInteger(m) || !Number.isInteger(y) || y < 1980) return undefined;
  const midnight = Date.UTC(y, m - 1, d);
  if (!Number.isFinite(midnight) || new Date(midnight).getUTCDate() !== d) return undefined;
  return nearestEra(midnight + todMs, trustedMs) - todMs;
}

/**
 * A time of day (ms since midnight) on the day that puts it nearest `nearMs`: the date of a fix
 * whose sentence has none, from the last known receiver date (crossing midnight) or the clock.
 */
export function onNearestDay(todMs: number, nearMs: number): number {
  const midnight = Math.floor(nearMs / DAY_MS) * DAY_MS;
  let t = midnight + todMs;
  if (t - nearMs > DAY_MS / 2) t -= DAY_MS;
  else if (nearMs - t > DAY_MS / 2) t += DAY_MS;
  return t;
}

/** `hhmmss[.sss]` → ms since midnight, or undefined. */
export function timeOfDayMs(hhmmss: string | undefined): number | undefined {
  if (!hhmmss || !/^\d{6}(\.\d+)?$/.test(hhmmss)) return undefined;
  const h = Number(hhmmss.slice(0, 2));
  const min = Number(hhmmss.slice(2, 4));
  const s = Number(hhmmss.slice(4, 6));
  if (h > 23 || min > 59 || s > 60) return undefined;
  return ((h * 60 + min) * 60 + s) * 1000 + Math.round(Number(`0${hhmmss.slice(6)}`) * 1000);
}
