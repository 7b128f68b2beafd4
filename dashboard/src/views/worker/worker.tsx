import { useEffect, useState } from 'preact/hooks';
import { act } from '../../api/incidents.ts';
import { type HouseholdRow, listHouseholds } from '../../api/registry.ts';
import type { Me } from '../../api/session.ts';
import { useT } from '../../i18n/index.ts';
import { incidentsStore, upsertIncident } from '../../live/incidents.ts';
import { useNow } from '../../live/now.ts';
import { isClosed, isUnacknowledged, sortIncidents } from '../../live/order.ts';
import { useStore } from '../../store.ts';
import { lastFix } from '../board/facts.ts';
import { IncidentFacts } from '../board/incident-facts.tsx';
import { Countdown, SeverityBadge, StateBadge, whatOf } from '../board/labels.tsx';
import { CheckIn } from './check-in.tsx';
import { ReportForm } from './report.tsx';

/** The phone view of a grid worker: my alerts with one-tap ack, check-in, report, my households. */
export function Worker({ me }: { me: Me }) {
  const t = useT();
  const now = useNow();
  const alerts = sortIncidents(useStore(incidentsStore).values()).filter((i) => !isClosed(i));
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [households, setHouseholds] = useState<HouseholdRow[] | null>(null);
  const gridUnit = me.roles.find((r) => r.unit.level === 'grid')?.unit.id;

  useEffect(() => {
    listHouseholds(gridUnit ? { unit: gridUnit } : {}).then(setHouseholds, () => setHouseholds([]));
  }, [gridUnit]);

  const ack = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      upsertIncident(await act(id, { action: 'ack' }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="worker">
      <h1 class="sr">{t('nav.worker')}</h1>
      <section class="w-alerts">
        <h2>{t('wk.alerts')}</h2>
        {alerts.length === 0 && <p class="muted">{t('wk.noAlerts')}</p>}
        {alerts.map((i) => (
          <article
            key={i.id}
            class={`w-alert sev-row-${i.severity}`}
            data-incident={i.id}
            data-state={i.state}
          >
            <header>
              <SeverityBadge severity={i.severity} t={t} />
              <strong>{whatOf(i, t)}</strong>
              <StateBadge state={i.state} t={t} />
            </header>
            <IncidentFacts i={i} fix={lastFix(i.pos)} now={now} t={t} />
            <p class="muted" data-fact="countdown">
              {t('board.col.next')}: <Countdown i={i} now={now} t={t} />
            </p>
            {i.householdPhone && (
              <a class="button call" href={`tel:${i.householdPhone}`} data-action="call">
                {t('fact.call', { name: i.householdName ?? i.householdPhone })}
              </a>
            )}
            {i.pos && (
              // the phone's own map app takes a geo: link and routes there
              <a class="button call" href={`geo:${i.pos.lat},${i.pos.lon}`} data-action="navigate">
                {t('fact.navigate')}
              </a>
            )}
            {isUnacknowledged(i) && (
              <button
                type="button"
                class="primary huge"
                data-action="ack"
                disabled={busy === i.id}
                onClick={() => ack(i.id)}
              >
                {t('wk.ack')}
              </button>
            )}
          </article>
        ))}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </section>
      <CheckIn unitId={gridUnit} />
      <ReportForm unitId={gridUnit} />
      <section class="w-households">
        <h2>{t('wk.households')}</h2>
        {!households ? (
          <p>{t('common.loading')}</p>
        ) : (
          <ul>
            {households.map((h) => (
              <li key={h.id} data-household={h.id}>
                <span>{h.name}</span>
                {h.phone && (
                  <a class="phone" href={`tel:${h.phone}`}>
                    {t('wk.call')} {h.phone}
                  </a>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
