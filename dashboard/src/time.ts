import type { Translate } from './i18n/index.ts';

/** Every time on screen is Asia/Shanghai (Beijing time), whatever the browser's own zone. */
export const TIME_ZONE = 'Asia/Shanghai';

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function fields(ms: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of parts.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** `2025-01-14 09:05:07` in Beijing time: the same digits in every language. */
export function formatDateTime(ms: number): string {
  const f = fields(ms);
  return `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}:${f.second}`;
}

/** `09:05:07` in Beijing time. */
export function formatClock(ms: number): string {
  const f = fields(ms);
  return `${f.hour}:${f.minute}:${f.second}`;
}

/** `01-14 09:05` in Beijing time (tables). */
export function formatShort(ms: number): string {
  const f = fields(ms);
  return `${f.month}-${f.day} ${f.hour}:${f.minute}`;
}

/** For `<input type="datetime-local">`: `2025-01-14T09:05` in Beijing time. */
export function toLocalInput(ms: number): string {
  const f = fields(ms);
  return `${f.year}-${f.month}-${f.day}T${f.hour}:${f.minute}`;
}

/** Reads a `datetime-local` value as Beijing time (UTC+8, no daylight saving) into epoch ms. */
export function fromLocalInput(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi) - 8 * 3_600_000;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Countdown to the next escalation: `02:59`, `1:02:03` past an hour; past the deadline it
 * counts up with a sign (`-00:12`) so a missed deadline reads as such. Whole seconds, rounded up
 * while counting down (a timer at 0.4 s shows 00:01, never 00:00 before it fires).
 */
export function formatCountdown(msLeft: number): string {
  const overdue = msLeft < 0;
  const totalS = overdue ? Math.floor(-msLeft / 1000) : Math.ceil(msLeft / 1000);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  const body = h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
  return overdue ? `-${body}` : body;
}

/** A rough age or duration in the reader's language: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function formatDuration(ms: number, t: Translate): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return t('time.s', { n: s });
  const m = Math.floor(s / 60);
  if (m < 60) return t('time.m', { n: m });
  const h = Math.floor(m / 60);
  if (h < 24)
    return m % 60 ? `${t('time.h', { n: h })} ${t('time.m', { n: m % 60 })}` : t('time.h', { n: h });
  const d = Math.floor(h / 24);
  return h % 24 ? `${t('time.d', { n: d })} ${t('time.h', { n: h % 24 })}` : t('time.d', { n: d });
}

/** Milliseconds as minutes:seconds for statistics (`3:05`, `1:02:03`); null → `—`. */
export function formatStat(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return formatCountdown(ms).replace(/^0(\d):/, '$1:');
}
