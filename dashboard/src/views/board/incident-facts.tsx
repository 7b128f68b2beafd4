import type { Incident } from '../../api/incidents.ts';
import type { Translate } from '../../i18n/index.ts';
import { DrillBadge } from './drill-badge.tsx';
import { type Fix, fixText, offMains, powerText } from './facts.ts';
import { fullWhereOf, whereOf } from './labels.tsx';

/** The household's own words from the box, quoted as typed (never translated). */
export function SosNote({ i, t }: { i: Incident; t: Translate }) {
  if (!i.note) return null;
  return (
    <q class="sos-note" data-fact="note" lang="" title={t('fact.note')}>
      {i.note}
    </q>
  );
}

export function PowerBadge({ i, t }: { i: Incident; t: Translate }) {
  const text = powerText(i.power, t);
  if (!text) return null;
  return (
    <span class={`power ${offMains(i.power) ? 'off-mains' : ''}`} data-fact="power">
      {t('fact.power')}: {text}
    </span>
  );
}

/**
 * Everything a responder needs before setting out, as a definition list: the full place, what the
 * household typed, the box's power, the last position with its age and accuracy, who lives there
 * and how to call them. Used by the board's detail and the worker's phone card.
 */
export function IncidentFacts({
  i,
  fix,
  now,
  t,
  withMembers = true,
}: {
  i: Incident;
  fix: Fix | null;
  now: number;
  t: Translate;
  /** False where a household card beside it lists them already. */
  withMembers?: boolean;
}) {
  const power = powerText(i.power, t);
  const members = withMembers ? (i.members ?? []) : [];
  return (
    <dl class="facts" data-testid="incident-facts">
      {i.drill && (
        <>
          <dt>
            <DrillBadge t={t} />
          </dt>
          <dd data-fact="drill">{t('drill.factNote')}</dd>
        </>
      )}
      <dt>{t('fact.place')}</dt>
      <dd data-fact="place" title={fullWhereOf(i, t)}>
        {whereOf(i, t)}
      </dd>
      {i.note && (
        <>
          <dt>{t('fact.note')}</dt>
          <dd>
            <SosNote i={i} t={t} />
          </dd>
        </>
      )}
      {power && (
        <>
          <dt>{t('fact.power')}</dt>
          <dd data-fact="power" class={offMains(i.power) ? 'off-mains' : ''}>
            {power}
          </dd>
        </>
      )}
      <dt>{t('fact.position')}</dt>
      <dd data-fact="position">{fix ? fixText(fix, now, t) : t('fact.noPosition')}</dd>
      {withMembers && (i.householdPhone || members.length > 0) && (
        <>
          <dt>{t('detail.members')}</dt>
          <dd data-fact="members">
            <ul class="members">
              {i.householdPhone && !members.some((m) => m.phone === i.householdPhone) && (
                <li>
                  {i.householdName}{' '}
                  <a class="phone" href={`tel:${i.householdPhone}`}>
                    {i.householdPhone}
                  </a>
                </li>
              )}
              {members.map((m, n) => (
                <li key={`${m.name}-${n}`}>
                  {m.name}{' '}
                  {m.phone && (
                    <a class="phone" href={`tel:${m.phone}`}>
                      {m.phone}
                    </a>
                  )}
                  {m.note && <em> · {m.note}</em>}
                </li>
              ))}
            </ul>
          </dd>
        </>
      )}
    </dl>
  );
}
