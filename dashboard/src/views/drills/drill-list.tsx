import { listDrills } from '../../api/drills.ts';
import { useT } from '../../i18n/index.ts';
import { hrefOf } from '../../router.ts';
import { formatDateTime, formatDuration } from '../../time.ts';
import { StateBadge } from '../board/labels.tsx';
import { useLoad } from '../use-load.ts';
import type { UnitIndex } from '../use-unit-index.ts';
import { ScrollRegion } from '../scroll-region.tsx';

/** The list follows drills as people answer them, without being a live view. */
const REFRESH_MS = 10_000;

/** The drills of the person's units, newest first, each linking to its report. */
export function DrillList({ units }: { units: UnitIndex }) {
  const t = useT();
  const { data, error } = useLoad(listDrills, [], REFRESH_MS);
  return (
    <section class="drill-list" aria-labelledby="drill-list-title">
      <h2 id="drill-list-title" class="vhead">
        {t('drill.list')}
      </h2>
      {error && <p class="error">{t('common.error', { reason: error })}</p>}
      {!data ? (
        <p>{t('common.loading')}</p>
      ) : data.length === 0 ? (
        <p class="muted">{t('drill.none')}</p>
      ) : (
        <ScrollRegion labelledBy="drill-list-title">
          <table class="grid-table" data-testid="drill-list">
            <thead>
              <tr>
                <th scope="col">{t('drill.col.started')}</th>
                <th scope="col">{t('drill.col.target')}</th>
                <th scope="col">{t('board.col.where')}</th>
                <th scope="col">{t('board.col.state')}</th>
                <th scope="col">{t('drill.col.ack')}</th>
                <th scope="col">{t('drill.report')}</th>
              </tr>
            </thead>
            <tbody>
              {data.map((d) => (
                <tr key={d.id} data-drill={d.id}>
                  <td>
                    <time dateTime={new Date(d.openedAt).toISOString()}>{formatDateTime(d.openedAt)}</time>
                  </td>
                  <td>{d.householdName ?? units.name(d.unit)}</td>
                  <td>{units.place(d.unit)}</td>
                  <td>
                    <StateBadge state={d.state} t={t} />
                  </td>
                  <td>{d.ackAt === null ? t('common.none') : formatDuration(d.ackAt - d.openedAt, t)}</td>
                  <td>
                    <a href={hrefOf({ page: 'drills', id: d.id })} data-action="open-report">
                      {t('drill.report')}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </section>
  );
}
