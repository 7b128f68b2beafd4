import { type DrillReport, drillReport, type PagedRow } from '../../api/drills.ts';
import { type Translate, useT } from '../../i18n/index.ts';
import { hrefOf } from '../../router.ts';
import { formatClock, formatDateTime, formatDuration } from '../../time.ts';
import { DrillBadge } from '../board/drill-badge.tsx';
import { StateBadge } from '../board/labels.tsx';
import { windowsText } from '../policies/policy-text.ts';
import { useLoad } from '../use-load.ts';
import type { UnitIndex } from '../use-unit-index.ts';
import { ScrollRegion } from '../scroll-region.tsx';

/** While the drill runs, its report is read again this often (pages arrive, people answer). */
const REFRESH_MS = 5000;

const after = (s: number | null, t: Translate) =>
  s === null ? t('common.none') : formatDuration(s * 1000, t);

function levelText(p: PagedRow, t: Translate): string {
  const level = t('level.n', { n: p.level });
  return p.role ? `${level} · ${t.dyn(`role.${p.role}`, p.role)}` : level;
}

/** The drill's facts: for whom, where, started by and when, how it escalates, who acknowledged. */
function Facts({ r, units, t }: { r: DrillReport; units: UnitIndex; t: Translate }) {
  return (
    <dl class="facts drill-facts" data-testid="drill-facts">
      <dt>{t('drill.col.target')}</dt>
      <dd data-fact="target">{r.householdName ?? units.name(r.unit)}</dd>
      <dt>{t('fact.place')}</dt>
      <dd data-fact="place">{units.place(r.unit)}</dd>
      <dt>{t('drill.startedAt')}</dt>
      <dd data-fact="started">
        {formatDateTime(r.openedAt)}
        {r.startedBy && ` · ${r.startedBy.name}`}
      </dd>
      <dt>{t('board.col.state')}</dt>
      <dd>
        <StateBadge state={r.state} t={t} />
      </dd>
      <dt>{t('drill.policy')}</dt>
      <dd data-fact="policy">{r.policy ? windowsText(r.policy.ackTimeoutMs, t) : t('common.none')}</dd>
      <dt>{t('drill.acked')}</dt>
      <dd data-fact="acknowledged" data-by={r.acknowledged?.by ?? ''}>
        {r.acknowledged
          ? t('drill.ackedBy', { name: r.acknowledged.name ?? '', t: after(r.acknowledged.afterS, t) })
          : t('drill.notAcked')}
      </dd>
      <dt>{t('stats.col.escalations')}</dt>
      <dd data-fact="escalations">{r.escalations}</dd>
      <dt>{t('drill.dispatched')}</dt>
      <dd>{after(r.dispatchedAfterS, t)}</dd>
      <dt>{t('drill.closed')}</dt>
      <dd>{after(r.closedAfterS, t)}</dd>
      {r.household && (
        <>
          <dt>{t('dlv.ch.device')}</dt>
          <dd data-fact="box">{t('drill.boxAcks', { delivered: r.box.delivered, n: r.box.acks })}</dd>
        </>
      )}
    </dl>
  );
}

/** Every page of the drill: level and role, person, channel, delivery, when, delivered after how long. */
function PagedTable({ r, t }: { r: DrillReport; t: Translate }) {
  if (r.paged.length === 0) return <p class="muted">{t('dlv.none')}</p>;
  return (
    <ScrollRegion labelledBy="drill-paged-title">
      <table class="grid-table" data-testid="drill-paged">
        <thead>
          <tr>
            <th scope="col">{t('board.col.level')}</th>
            <th scope="col">{t('dlv.col.person')}</th>
            <th scope="col">{t('drill.col.channel')}</th>
            <th scope="col">{t('drill.col.status')}</th>
            <th scope="col">{t('common.time')}</th>
            <th scope="col">{t('drill.col.deliveredAfter')}</th>
          </tr>
        </thead>
        <tbody>
          {r.paged.map((p, k) => (
            <tr key={k} data-person={p.person} data-channel={p.channel} data-status={p.status}>
              <td>
                {levelText(p, t)}
                {p.reminder > 0 && <small> · {t('next.remind')}</small>}
              </td>
              <td>{p.name}</td>
              <td>{t.dyn(`dlv.ch.${p.channel}`, p.channel)}</td>
              <td>
                <span class={`dlv dlv-${p.status}`}>{t.dyn(`dlv.st.${p.status}`, p.status)}</span>
              </td>
              <td>{formatClock(p.at)}</td>
              <td>{after(p.deliveredAfterS, t)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

/** One drill's report (#/drills/{id}): the facts and who was paged, printable on one page. */
export function DrillReportPage({ id, units }: { id: string; units: UnitIndex }) {
  const t = useT();
  const { data: r, error } = useLoad(() => drillReport(id), [id], REFRESH_MS);
  return (
    <article class="page drill-report" aria-labelledby="drill-report-title" data-drill={id}>
      <div class="section-head">
        <h1 id="drill-report-title" class="vhead">
          {t('drill.reportTitle')}
        </h1>
        <DrillBadge t={t} />
        <button type="button" class="no-print" data-action="print" onClick={() => window.print()}>
          {t('drill.print')}
        </button>
        <a class="button no-print" href={hrefOf({ page: 'drills' })}>
          {t('drill.all')}
        </a>
      </div>
      {error && <p class="error">{t('common.error', { reason: error })}</p>}
      {!r ? (
        <p>{t('common.loading')}</p>
      ) : (
        <>
          <Facts r={r} units={units} t={t} />
          <h2 id="drill-paged-title" class="vhead">
            {t('drill.paged')}
          </h2>
          <PagedTable r={r} t={t} />
        </>
      )}
    </article>
  );
}
