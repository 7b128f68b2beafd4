import type { ComponentType } from 'preact';
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { inFlight } from '../../api/deliveries.ts';
import { getIncident } from '../../api/incidents.ts';
import { getHousehold } from '../../api/registry.ts';
import type { Me } from '../../api/session.ts';
import { useT } from '../../i18n/index.ts';
import { incidentsStore } from '../../live/incidents.ts';
import { useNow } from '../../live/now.ts';
import { navigate } from '../../router.ts';
import { useStore } from '../../store.ts';
import { formatDateTime } from '../../time.ts';
import type { TrailMapProps } from '../map/trail-map.tsx';
import { useLoad } from '../use-load.ts';
import { IncidentActions } from './actions.tsx';
import { Deliveries } from './deliveries.tsx';
import { HandoverLinks } from './handover-links.tsx';
import { HouseholdCardView } from './household-card.tsx';
import { lastFix } from './facts.ts';
import { IncidentFacts } from './incident-facts.tsx';
import { Countdown, levelOf, SeverityBadge, StateBadge, whatOf } from './labels.tsx';
import { MessageBox } from './message-box.tsx';
import { Timeline } from './timeline.tsx';

/** While a page is still on its way its record changes without the incident changing: look again this often. */
const DELIVERY_POLL_MS = 4000;

let trailMap: Promise<ComponentType<TrailMapProps>> | null = null;
const loadTrailMap = () => (trailMap ??= import('../map/trail-map.tsx').then((m) => m.TrailMap));

function TrailMapLazy(props: TrailMapProps) {
  const [C, setC] = useState<ComponentType<TrailMapProps> | null>(null);
  useEffect(() => {
    let alive = true;
    loadTrailMap().then((c) => alive && setC(() => c));
    return () => {
      alive = false;
    };
  }, []);
  return C ? <C {...props} /> : <div class="trail-map" />;
}

/** Closes the detail and puts the keyboard focus back on the incident's row of the board (its card's link on a phone). */
function closeDetail(id: string): void {
  navigate({ page: 'board' });
  requestAnimationFrame(() =>
    document
      .querySelector<HTMLElement>(
        `tr[data-incident="${CSS.escape(id)}"], .incident-card[data-incident="${CSS.escape(id)}"] a.card-open`,
      )
      ?.focus(),
  );
}

export function IncidentDetailPanel({ id }: { id: string; me: Me }) {
  const t = useT();
  // Escape closes the detail from anywhere on the page (a dialog-like panel beside the board);
  // a layout effect, so the key works from the moment the panel is on screen
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) closeDetail(id);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [id]);
  const now = useNow();
  const live = useStore(incidentsStore).get(id);
  const [reload, setReload] = useState(0);
  const [polling, setPolling] = useState(false);
  // refetch when the live incident changes (a stream event) or after an action, and every few
  // seconds while a delivery is in flight (a PUBACK changes its record, not the incident)
  const { data: detail, error } = useLoad(
    () => getIncident(id),
    // (level and escalations too: on a coarse clock a climb can keep the same updatedAt)
    [id, live?.updatedAt, live?.state, live?.level, live?.escalations, reload, polling],
    polling ? DELIVERY_POLL_MS : undefined,
  );
  useEffect(() => setPolling(detail ? inFlight(detail.deliveries) : false), [detail]);

  const inc = detail ? { ...detail, ...(live && live.updatedAt >= detail.updatedAt ? live : {}) } : live;
  // the household card: members, phone and notes from the registry (the incident names the household only)
  const householdId = inc?.householdId;
  const { data: household } = useLoad(
    () => (householdId ? getHousehold(householdId) : Promise.resolve(null)),
    [householdId],
  );
  return (
    <aside
      class="detail card"
      aria-label={inc ? whatOf(inc, t) : id}
      data-testid="incident-detail"
      data-incident={id}
    >
      <button
        type="button"
        class="close ghost"
        aria-label={t('common.close')}
        onClick={() => closeDetail(id)}
      >
        ×
      </button>
      {!inc ? (
        <p>{error ? t('common.error', { reason: error }) : t('common.loading')}</p>
      ) : (
        <>
          <header class="detail-head">
            <SeverityBadge severity={inc.severity} t={t} />
            <h2>{whatOf(inc, t)}</h2>
            <StateBadge state={inc.state} t={t} />
          </header>
          <IncidentFacts
            i={inc}
            fix={lastFix(inc.pos, detail?.trail)}
            now={now}
            t={t}
            withMembers={!household}
          />
          <dl class="facts">
            <dt>{t('board.col.level')}</dt>
            <dd>
              {levelOf(inc, t)} · <Countdown i={inc} now={now} t={t} />
            </dd>
            <dt>{t('common.time')}</dt>
            <dd>{t('detail.openedAt', { t: formatDateTime(inc.openedAt) })}</dd>
            {inc.assignee && (
              <>
                <dt>{t('state.acknowledged')}</dt>
                <dd>{t('detail.by', { name: inc.assignee.name })}</dd>
              </>
            )}
          </dl>
          <IncidentActions incident={inc} onDone={() => setReload((n) => n + 1)} />
          <HandoverLinks id={inc.id} />
          <MessageBox incident={inc} reload={reload} />
          <div class="detail-grid">
            {household && <HouseholdCardView h={household} />}
            <section class="trail">
              <h3 class="vhead">{t('detail.trail')}</h3>
              {detail && (detail.trail.length > 0 || inc.pos || household?.location) ? (
                <TrailMapLazy trail={detail.trail} pos={inc.pos} home={household?.location} />
              ) : (
                <p class="muted">{t('detail.noTrail')}</p>
              )}
            </section>
          </div>
          {detail && <Deliveries detail={detail} />}
          {detail && (
            <Timeline
              entries={detail.timeline}
              context={{
                names: detail.names,
                category: inc.category,
                severity: inc.severity,
                ...(inc.deviceId ? { deviceId: inc.deviceId } : {}),
                ...(inc.rescue ? { rescue: inc.rescue } : {}),
              }}
            />
          )}
        </>
      )}
    </aside>
  );
}
