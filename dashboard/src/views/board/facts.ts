import type { Texts } from '@steppelink/protocols';
import { pick, type Translate } from '../../i18n/index.ts';
import { formatDuration } from '../../time.ts';

/**
 * The facts a responder needs about an incident, as text in the reader's language: the full place
 * (every village has a 一组), the box's power, the last position with its age and accuracy.
 * Pure: the board row, the detail and the worker's phone card render these.
 */

export interface PlaceStep {
  id: string;
  level: string;
  name: Texts;
}

/** Levels shown in a place line: the banner and league are the same for everyone on one board. */
const LINE_LEVELS = new Set(['sumu', 'gacha', 'grid']);

/**
 * Names from the sumu down to the grid, then the household: `巴音乌兰苏木 › 巴音哈太嘎查 › 三组 › 其其格`.
 * A name that repeats its parent's (`巴音哈太嘎查三组` under `巴音哈太嘎查`) is shortened to its own part.
 */
export function placeParts(
  place: readonly PlaceStep[] | undefined,
  household: string | undefined,
  lang: Translate['lang'],
  o: { all?: boolean } = {},
): string[] {
  const out: string[] = [];
  let parent = '';
  for (const u of place ?? []) {
    const name = pick(u.name, lang) || u.id;
    if (o.all || LINE_LEVELS.has(u.level)) {
      const own =
        parent && name.startsWith(parent) && name.length > parent.length ? name.slice(parent.length) : name;
      out.push(own.trim());
    }
    parent = name;
  }
  // a banner's or league's own incident or notice: name that unit
  const last = place?.at(-1);
  if (out.length === 0 && last) out.push(pick(last.name, lang) || last.id);
  if (household) out.push(household);
  return out;
}

export const PLACE_SEPARATOR = ' › ';

export function placeLine(
  place: readonly PlaceStep[] | undefined,
  household: string | undefined,
  lang: Translate['lang'],
  o: { all?: boolean } = {},
): string {
  return placeParts(place, household, lang, o).join(PLACE_SEPARATOR);
}

/** `Battery 40%`, `Mains`; null when the box did not say. */
export function powerText(
  power: { source: string; battery: number | null } | undefined,
  t: Translate,
): string | null {
  if (!power) return null;
  const source = t.dyn(`power.${power.source}`, power.source);
  return power.battery === null ? source : t('fact.powerBattery', { source, pct: power.battery });
}

/** True when the box ran without mains power: the responder should know the box may die soon. */
export const offMains = (power: { source: string } | undefined) => !!power && power.source !== 'mains';

export interface Fix {
  lat: number;
  lon: number;
  /** Accuracy in metres, when known. */
  acc?: number;
  /** When the position was fixed (epoch ms), when known. */
  t?: number;
}

/** The newest of the SOS position and the trail (a trail point without a time never wins over a timed one). */
export function lastFix(
  pos: Fix | undefined,
  trail: readonly { t: number; lat: number; lon: number }[] = [],
): Fix | null {
  let best: Fix | null = pos ?? null;
  for (const p of trail) {
    if (!best || best.t === undefined || p.t > best.t) best = { lat: p.lat, lon: p.lon, t: p.t };
  }
  return best;
}

/** `42.12130, 108.43820 · ±12 m · 3 min ago`. */
export function fixText(fix: Fix, now: number, t: Translate): string {
  const parts = [`${fix.lat.toFixed(5)}, ${fix.lon.toFixed(5)}`];
  if (fix.acc !== undefined) parts.push(t('fact.accuracy', { m: Math.round(fix.acc) }));
  if (fix.t !== undefined) parts.push(t('common.ago', { t: formatDuration(now - fix.t, t) }));
  return parts.join(' · ');
}
