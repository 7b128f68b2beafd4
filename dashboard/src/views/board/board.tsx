import { useState } from 'preact/hooks';
import type { Me } from '../../api/session.ts';
import { useT } from '../../i18n/index.ts';
import { freshStore, incidentsStore } from '../../live/incidents.ts';
import { useNow } from '../../live/now.ts';
import { isAlarming, isClosed, isUnacknowledged, sortIncidents } from '../../live/order.ts';
import { navigate, type Route } from '../../router.ts';
import { useStore } from '../../store.ts';
import { formatDuration } from '../../time.ts';
import { useNarrow } from '../use-narrow.ts';
import { IncidentDetailPanel } from './detail.tsx';
import { DrillBadge } from './drill-badge.tsx';
import { IncidentCard } from './incident-card.tsx';
import { PowerBadge, SosNote } from './incident-facts.tsx';
import {
  Age,
  Countdown,
  fullWhereOf,
  levelOf,
  SeverityBadge,
  StateBadge,
  whatOf,
  whereOf,
} from './labels.tsx';

/**
 * The live incident board: one row per incident, most urgent first (one card each on a phone-sized
 * screen); the detail opens beside it (below the cards on a phone).
 */
export function Board({ me, route }: { me: Me; route: Route }) {
  const t = useT();
  const now = useNow();
  const all = useStore(incidentsStore);
  const fresh = useStore(freshStore);
  const [showClosed, setShowClosed] = useState(false);
  const narrow = useNarrow();
  const list = sortIncidents(all.values()).filter((i) => showClosed || !isClosed(i));

  return (
    <div class={`board ${route.id ? 'with-detail' : ''}`}>
      <section class="board-list" aria-labelledby="board-title">
        <div class="section-head">
          <h1 id="board-title" class="vhead">
            {t('board.title')}
          </h1>
          <span class="count" data-testid="open-count">
            {list.filter((i) => !isClosed(i)).length}
          </span>
          <label class="toggle">
            <input
              type="checkbox"
              checked={showClosed}
              onChange={(e) => setShowClosed(e.currentTarget.checked)}
            />
            {t('board.showClosed')}
          </label>
        </div>
        {list.length === 0 ? (
          <p class="empty">{t('board.empty')}</p>
        ) : narrow ? (
          // a phone: one card per incident instead of a table wider than the screen
          <ul class="incident-cards" data-testid="incident-cards">
            {list.map((i) => (
              <IncidentCard
                key={i.id}
                i={i}
                now={now}
                t={t}
                fresh={fresh.has(i.id)}
                selected={route.id === i.id}
              />
            ))}
          </ul>
        ) : (
          <table class="incidents">
            <thead>
              <tr>
                <th>{t('board.col.severity')}</th>
                <th>{t('board.col.what')}</th>
                <th>{t('board.col.where')}</th>
                <th>{t('board.col.state')}</th>
                <th>{t('board.col.level')}</th>
                <th>{t('board.col.next')}</th>
                <th>{t('board.col.age')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((i) => (
                <tr
                  key={i.id}
                  data-incident={i.id}
                  data-state={i.state}
                  class={[
                    'incident',
                    `sev-row-${i.severity}`,
                    isAlarming(i) ? 'alarming' : '',
                    isUnacknowledged(i) ? 'unacked' : '',
                    fresh.has(i.id) ? 'fresh' : '',
                    route.id === i.id ? 'selected' : '',
                  ].join(' ')}
                  tabIndex={0}
                  onClick={() => navigate({ page: 'board', id: i.id })}
                  onKeyDown={(e) => e.key === 'Enter' && navigate({ page: 'board', id: i.id })}
                >
                  <td>
                    <SeverityBadge severity={i.severity} t={t} />
                  </td>
                  <td class="what">
                    {i.drill && <DrillBadge t={t} />}
                    <strong>{whatOf(i, t)}</strong>
                    {i.presses && i.presses > 1 ? (
                      <small> {t('board.presses', { n: i.presses })}</small>
                    ) : null}
                    {i.lateMs ? (
                      <small class="late"> {t('board.late', { t: formatDuration(i.lateMs, t) })}</small>
                    ) : null}
                    <SosNote i={i} t={t} />
                    <PowerBadge i={i} t={t} />
                  </td>
                  <td class="where" title={fullWhereOf(i, t)}>
                    {whereOf(i, t)}
                  </td>
                  <td>
                    <StateBadge state={i.state} t={t} />
                  </td>
                  <td class="level">{levelOf(i, t)}</td>
                  <td>
                    <Countdown i={i} now={now} t={t} />
                  </td>
                  <td>
                    <Age i={i} now={now} t={t} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {route.id && <IncidentDetailPanel key={route.id} id={route.id} me={me} />}
    </div>
  );
}
