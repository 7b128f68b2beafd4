import { noticeProgress } from '../../api/notices.ts';
import { unitTree } from '../../api/registry.ts';
import { pick, useT } from '../../i18n/index.ts';
import { placeLine } from '../board/facts.ts';
import { unitPaths } from '../unit-paths.ts';
import { useLoad } from '../use-load.ts';

const POLL_MS = 5000; // receipts trickle in as boxes come online; a few seconds is live enough

function Bar({ part, whole }: { part: number; whole: number }) {
  const pct = whole > 0 ? Math.round((100 * part) / whole) : 0;
  return (
    <span class="bar" title={`${pct}%`}>
      <span class="fill" style={{ width: `${pct}%` }} />
      <em>{part}</em>
    </span>
  );
}

/** Delivery and read progress per unit of one notice, refreshed while open. */
export function Progress({ id }: { id: string }) {
  const t = useT();
  const { data: p, error } = useLoad(() => noticeProgress(id), [id], POLL_MS);
  // each row names its unit with its sumu and gacha: every village has a 一组
  const { data: paths } = useLoad(async () => unitPaths(await unitTree()), []);
  const nameOf = (unitId: string, name: Parameters<typeof pick>[0]) =>
    placeLine(paths?.get(unitId), undefined, t.lang) || pick(name, t.lang) || unitId;

  if (!p) return <p>{error ? t('common.error', { reason: error }) : t('common.loading')}</p>;
  const rows = [...p.units, { ...p.total, name: undefined }];
  return (
    <section class="progress card" data-notice={id}>
      <h2 class="vhead">{t('bc.progress')}</h2>
      <table class="grid-table">
        <thead>
          <tr>
            <th>{t('common.unit')}</th>
            <th>{t('bc.col.targeted')}</th>
            <th>{t('bc.col.delivered')}</th>
            <th>{t('bc.col.read')}</th>
            <th>{t('bc.col.outstanding')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.unitId} data-unit={r.unitId} class={r.unitId === 'total' ? 'total' : ''}>
              <td>{r.unitId === 'total' ? t('common.all') : nameOf(r.unitId, r.name)}</td>
              <td>{r.targeted}</td>
              <td>
                <Bar part={r.delivered} whole={r.targeted} />
              </td>
              <td>
                <Bar part={r.read} whole={r.targeted} />
              </td>
              <td class={r.outstanding > 0 ? 'warn' : ''}>{r.outstanding}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
