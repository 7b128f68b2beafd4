import type { Incident } from '../../api/incidents.ts';
import { pick, type Translate } from '../../i18n/index.ts';
import { formatCountdown, formatDuration } from '../../time.ts';
import { PLACE_SEPARATOR, placeLine } from './facts.ts';

/** What happened, in the reader's language: the category, or the hub's summary for unknown ones. */
export function whatOf(i: Incident, t: Translate): string {
  return t.dyn(`cat.${i.category}`, pick(i.summary, t.lang) || i.category);
}

/** Where: sumu › gacha › grid › household (grid names repeat in every village); the unit alone when the hub gave no place. */
export function whereOf(i: Incident, t: Translate): string {
  const line = placeLine(i.place, i.householdName, t.lang);
  if (line) return line;
  const unit = pick(i.unitName, t.lang) || i.unitId;
  return i.householdName ? `${unit}${PLACE_SEPARATOR}${i.householdName}` : unit;
}

/** The whole place, league down, for a tooltip. */
export function fullWhereOf(i: Incident, t: Translate): string {
  return placeLine(i.place, i.householdName, t.lang, { all: true }) || whereOf(i, t);
}

export function SeverityBadge({ severity, t }: { severity: Incident['severity']; t: Translate }) {
  return (
    <span class={`sev sev-${severity}`} data-severity={severity}>
      {t(`sev.${severity}`)}
    </span>
  );
}

export function StateBadge({ state, t }: { state: Incident['state']; t: Translate }) {
  return (
    <span class={`state state-${state}`} data-state={state}>
      {t.dyn(`state.${state}`, state)}
    </span>
  );
}

/** Level and role paged there: `L1 · Grid leader`. */
export function levelOf(i: Incident, t: Translate): string {
  const level = t('level.n', { n: i.level });
  return i.levelRole ? `${level} · ${t.dyn(`role.${i.levelRole}`, i.levelRole)}` : level;
}

export function Countdown({ i, now, t }: { i: Incident; now: number; t: Translate }) {
  if (
    i.nextEscalationAt === null ||
    (i.state !== 'open' && i.state !== 'notified' && i.state !== 'acknowledged')
  ) {
    return <span class="countdown none">{t('common.none')}</span>;
  }
  const left = i.nextEscalationAt - now;
  return (
    <span class={`countdown ${left < 0 ? 'overdue' : left < 60_000 ? 'soon' : ''}`} data-countdown={left}>
      {left < 0 ? t('board.overdue', { t: formatCountdown(-left) }) : formatCountdown(left)}
      {i.nextAction && i.nextAction !== 'escalate' && (
        <small> · {t.dyn(`next.${i.nextAction}`, i.nextAction)}</small>
      )}
    </span>
  );
}

export function Age({ i, now, t }: { i: Incident; now: number; t: Translate }) {
  return <span class="age">{formatDuration(now - i.openedAt, t)}</span>;
}
