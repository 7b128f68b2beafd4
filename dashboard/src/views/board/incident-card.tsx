import { inFlight } from '../../api/deliveries.ts';
import { getIncident, type Incident } from '../../api/incidents.ts';
import type { Translate } from '../../i18n/index.ts';
import { isAlarming, isUnacknowledged } from '../../live/order.ts';
import { hrefOf } from '../../router.ts';
import { useLoad } from '../use-load.ts';
import { IncidentActions } from './actions.tsx';
import { deliverySummary } from './delivery-summary.ts';
import { DrillBadge } from './drill-badge.tsx';
import { PowerBadge, SosNote } from './incident-facts.tsx';
import { Age, Countdown, fullWhereOf, levelOf, SeverityBadge, StateBadge, whatOf } from './labels.tsx';

/** While a page is on its way its record changes without the incident changing: look again this often. */
const DELIVERY_POLL_MS = 4000;

/** The pages' delivery state in one line: `Delivered 1 · No listener 2` (the hub's records, not the incident). */
function DeliveryState({ i, t }: { i: Incident; t: Translate }) {
  const { data } = useLoad(
    () => getIncident(i.id),
    [i.id, i.updatedAt, i.state, i.level, i.escalations],
    DELIVERY_POLL_MS,
  );
  if (!data) return <span class="dlv-none">{t('common.loading')}</span>;
  const summary = deliverySummary(data.deliveries);
  if (summary.length === 0) return <span class="dlv-none">{t('dlv.none')}</span>;
  return (
    <span class="dlv-summary" data-in-flight={inFlight(data.deliveries) ? 'yes' : 'no'}>
      {summary.map((s, k) => (
        <span key={s.status} class={`dlv dlv-${s.status}`} data-status={s.status} data-n={s.n}>
          {k > 0 ? ' · ' : ''}
          <span class="dlv-label">{t.dyn(`dlv.st.${s.status}`, s.status)}</span> {s.n}
        </span>
      ))}
    </span>
  );
}

/**
 * One incident on a phone-sized board, as a card instead of a table row: the same facts (what,
 * the household's note and power, the full place, state, level and escalation countdown, age), the
 * pages' delivery state and the actions, and a link that opens the detail. A list item with its
 * own heading, so a screen reader can move from card to card.
 */
export function IncidentCard({
  i,
  now,
  t,
  fresh,
  selected,
}: {
  i: Incident;
  now: number;
  t: Translate;
  fresh: boolean;
  selected: boolean;
}) {
  const head = `card-head-${i.id}`;
  return (
    <li
      class={[
        'incident-card',
        `sev-row-${i.severity}`,
        isAlarming(i) ? 'alarming' : '',
        isUnacknowledged(i) ? 'unacked' : '',
        fresh ? 'fresh' : '',
        selected ? 'selected' : '',
      ].join(' ')}
      data-incident={i.id}
      data-state={i.state}
      aria-labelledby={head}
    >
      <header class="card-head">
        <SeverityBadge severity={i.severity} t={t} />
        {i.drill && <DrillBadge t={t} />}
        <h2 id={head} class="what" data-fact="what">
          {whatOf(i, t)}
        </h2>
        <StateBadge state={i.state} t={t} />
      </header>
      {(i.note || i.power) && (
        <p class="card-note">
          <SosNote i={i} t={t} /> <PowerBadge i={i} t={t} />
        </p>
      )}
      <dl class="facts card-facts">
        <dt>{t('board.col.where')}</dt>
        <dd data-fact="place">{fullWhereOf(i, t)}</dd>
        <dt>{t('board.col.level')}</dt>
        <dd data-fact="level">
          {levelOf(i, t)} · <Countdown i={i} now={now} t={t} />
        </dd>
        <dt>{t('board.col.age')}</dt>
        <dd data-fact="age">
          <Age i={i} now={now} t={t} />
        </dd>
        <dt>{t('detail.deliveries')}</dt>
        <dd data-fact="delivery">
          <DeliveryState i={i} t={t} />
        </dd>
      </dl>
      <IncidentActions incident={i} onDone={() => {}} />
      <a class="button card-open" href={hrefOf({ page: 'board', id: i.id })} aria-describedby={head}>
        {t('board.open')}
      </a>
    </li>
  );
}
