import type { Translate } from '../../i18n/index.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * A policy's values in words, the way README's table of defaults writes them ("3, 3, 5, 5, 10
 * min", "every 5 min, 12 times", "after 15 min"; a test holds the English to that table), and
 * where a unit's policy comes from.
 */
type Unit = 's' | 'm' | 'h' | 'd';
function unitOf(ms: number): { unit: Unit; n: number } {
  if (ms < MIN) return { unit: 's', n: Math.round(ms / 1000) };
  if (ms % DAY === 0 && ms > 2 * DAY) return { unit: 'd', n: ms / DAY };
  if (ms % HOUR === 0 && ms > HOUR) return { unit: 'h', n: ms / HOUR };
  return { unit: 'm', n: Math.round((ms / MIN) * 10) / 10 };
}

/** `30 s`, `3 min`, `60 min`, `2 h`, `48 h`, `7 d`. */
export function spanText(ms: number, t: Translate): string {
  const { unit, n } = unitOf(ms);
  return t(`time.${unit}`, { n });
}

/** The ack windows, nearest level first: `3, 3, 5, 5, 10 min`; `60 min, 2 h, 4 h, 8 h`. */
export function windowsText(windows: readonly number[], t: Translate): string {
  const parts = windows.map(unitOf);
  if (parts.length > 0 && parts.every((p) => p.unit === 'm'))
    return t('time.m', { n: parts.map((p) => p.n).join(t('ev.sep')) });
  return windows.map((ms) => spanText(ms, t)).join(t('ev.sep'));
}

export const reminderText = (ms: number, t: Translate) =>
  ms === 0 ? t('pol.none') : t('pol.every', { t: spanText(ms, t) });

export function topText(everyMs: number, times: number, t: Translate): string {
  if (times === 0) return t('pol.none');
  const every = spanText(everyMs, t);
  return times === 1 ? t('pol.topOnce', { t: every }) : t('pol.topTimes', { t: every, n: times });
}

export const reescalateText = (ms: number | null, t: Translate) =>
  ms === null ? t('pol.never') : t('pol.after', { t: spanText(ms, t) });

/** Where a unit's policy of one severity comes from, read from the hub's `source`. */
export type Origin =
  | { kind: 'default' }
  | { kind: 'drill' }
  | { kind: 'league'; version: number }
  | { kind: 'this'; version: number }
  | { kind: 'inherited'; unit: string; version: number };

/** `default`, `drill`, or `unit:{unit|*}:{severity}@{version}` (hub/src/incidents/policy.ts). */
export function originOf(source: string, unit: string): Origin {
  const m = /^unit:(.+):[a-z]+@(\d+)$/.exec(source);
  if (!m) return source === 'drill' ? { kind: 'drill' } : { kind: 'default' };
  const [, from, v] = m as unknown as [string, string, string];
  const version = Number(v);
  if (from === '*') return { kind: 'league', version };
  return from === unit ? { kind: 'this', version } : { kind: 'inherited', unit: from, version };
}

export function originText(o: Origin, t: Translate, unitName: (id: string) => string): string {
  switch (o.kind) {
    case 'default':
      return t('pol.origin.default');
    case 'drill':
      return t('drill.fact');
    case 'league':
      return t('pol.origin.league', { v: o.version });
    case 'this':
      return t('pol.origin.this', { v: o.version });
    case 'inherited':
      return t('pol.origin.inherited', { unit: unitName(o.unit), v: o.version });
  }
}
