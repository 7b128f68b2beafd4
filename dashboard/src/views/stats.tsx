import { useState } from 'preact/hooks';
import { responseStats, STAT_LEVELS, type StatLevel } from '../api/stats.ts';
import { downloadText } from '../csv.ts';
import { pick, useT } from '../i18n/index.ts';
import { formatDateTime, formatStat } from '../time.ts';
import { type Period, periodRange } from './period.ts';
import { statsCsv } from './stats-csv.ts';
import { UnitSelect } from './unit-picker.tsx';
import { useLoad } from './use-load.ts';

export function Stats() {
  const t = useT();
  const [period, setPeriod] = useState<Period>('30d');
  const [unit, setUnit] = useState('');
  const [level, setLevel] = useState<StatLevel | ''>('');
  const { data, error } = useLoad(async () => {
    const range = periodRange(period, Date.now());
    const rows = await responseStats({ ...range, ...(unit ? { unit } : {}), ...(level ? { level } : {}) });
    return { range, rows };
  }, [period, unit, level]);
  const rows = data?.rows ?? null;

  const exportCsv = () => {
    if (!data) return;
    const p = { from: formatDateTime(data.range.from), to: formatDateTime(data.range.to) };
    downloadText(
      `steppelink-response-${p.from.slice(0, 10)}-${p.to.slice(0, 10)}.csv`,
      statsCsv(data.rows, t, p),
    );
  };

  return (
    <section class="page stats">
      <div class="section-head">
        <h1 class="vhead">{t('stats.title')}</h1>
        <label>
          <span class="sr">{t('stats.period')}</span>
          <select name="period" value={period} onChange={(e) => setPeriod(e.currentTarget.value as Period)}>
            {(['7d', '30d', 'quarter'] as const).map((p) => (
              <option key={p} value={p}>
                {t(`stats.p.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <UnitSelect value={unit} onChange={setUnit} />
        <label>
          <span class="sr">{t('stats.byLevel')}</span>
          <select
            name="level"
            value={level}
            onChange={(e) => setLevel(e.currentTarget.value as StatLevel | '')}
          >
            <option value="">{t('stats.byLevel')}</option>
            {STAT_LEVELS.map((l) => (
              <option key={l} value={l}>
                {t(`unitLevel.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-action="export-csv" disabled={!rows?.length} onClick={exportCsv}>
          {t('stats.export')}
        </button>
      </div>
      {error && <p class="error">{t('common.error', { reason: error })}</p>}
      {!rows ? (
        <p>{t('common.loading')}</p>
      ) : (
        <table class="grid-table league">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('stats.col.unit')}</th>
              <th>{t('stats.col.count')}</th>
              <th>{t('stats.col.ackMedian')}</th>
              <th>{t('stats.col.ackP90')}</th>
              <th>{t('stats.col.resolveMedian')}</th>
              <th>{t('stats.col.resolveP90')}</th>
              <th>{t('stats.col.escalations')}</th>
              <th>{t('stats.col.unacked')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.unitId} data-unit={r.unitId}>
                <td>{r.rank}</td>
                <td>{pick(r.name, t.lang) || r.unitId}</td>
                <td>{r.count}</td>
                <td>{formatStat(r.ackMedianMs)}</td>
                <td>{formatStat(r.ackP90Ms)}</td>
                <td>{formatStat(r.resolveMedianMs)}</td>
                <td>{formatStat(r.resolveP90Ms)}</td>
                <td>{r.escalations}</td>
                <td class={r.unacknowledged > 0 ? 'warn' : ''}>{r.unacknowledged}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
