/**
 * Civil time in an IANA time zone with Intl only (no library). Asia/Shanghai has had no DST
 * since 1991, but roster math goes through these functions so it stays right in zones that do:
 * a handover at a local wall time that does not exist (spring forward) happens at the jump; one
 * that exists twice (fall back) happens at the first occurrence.
 */

const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(tz: string): boolean {
  try {
    formatFor(tz);
    return true;
  } catch {
    return false;
  }
}

export interface LocalTime {
  y: number;
  m: number;
  d: number;
  hh: number;
  mm: number;
  ss: number;
}

/** The wall-clock reading of instant `t` in `timeZone`. */
export function localTime(t: number, timeZone: string): LocalTime {
  const out: Record<string, number> = {};
  for (const p of formatFor(timeZone).formatToParts(new Date(t))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    y: out.year ?? 1970,
    m: out.month ?? 1,
    d: out.day ?? 1,
    hh: out.hour ?? 0,
    mm: out.minute ?? 0,
    ss: out.second ?? 0,
  };
}

/** Local wall time minus UTC at instant `t` (ms), e.g. +8 h for Asia/Shanghai. */
export function offsetAt(t: number, timeZone: string): number {
  const l = localTime(t, timeZone);
  const wall = Date.UTC(l.y, l.m - 1, l.d, l.hh, l.mm, l.ss);
  return wall - (t - (((t % 1000) + 1000) % 1000));
}

/** Days since 1970-01-01 of a civil date (the date's own calendar, no zone). */
export function dayNumber(y: number, m: number, d: number): number {
  return Math.floor(Date.UTC(y, m - 1, d) / DAY_MS);
}
export function parseDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return dayNumber(y ?? 1970, m ?? 1, d ?? 1);
}
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
/** The local civil day (day number) instant `t` falls on. */
export function localDay(t: number, timeZone: string): number {
  const l = localTime(t, timeZone);
  return dayNumber(l.y, l.m, l.d);
}

/**
 * The instant at which local wall time first reaches `minuteOfDay` on civil day `day`:
 * the earlier instant when that wall time happens twice, the transition when it is skipped.
 */
export function instantAt(day: number, minuteOfDay: number, timeZone: string): number {
  const wall = day * DAY_MS + minuteOfDay * 60_000;
  // Offsets a day either side bracket at most one transition (true of every real zone).
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const candidates = [wall - before, wall - after].filter((t) => offsetAt(t, timeZone) === wall - t);
  if (candidates.length > 0) return Math.min(...candidates);
  // Skipped wall time: the first instant carrying the later offset.
  let lo = Math.min(wall - before, wall - after);
  let hi = Math.max(wall - before, wall - after);
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (offsetAt(mid, timeZone) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** 'HH:MM' → minutes after midnight. */
export function parseClock(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Local midnight at the start of civil day `day` (instantAt handles zones whose midnight is skipped). */
export function startOfDay(day: number, timeZone: string): number {
  return instantAt(day, 0, timeZone);
}
