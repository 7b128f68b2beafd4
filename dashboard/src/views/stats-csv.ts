import type { StatRow } from '../api/stats.ts';
import { toCsv } from '../csv.ts';
import { pick, type Translate } from '../i18n/index.ts';

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));

/**
 * The league table as CSV, headers in the reader's language; times in whole seconds so a
 * spreadsheet can compute with them; the period (Beijing time) in the first two columns.
 */
export function statsCsv(
  rows: readonly StatRow[],
  t: Translate,
  period: { from: string; to: string },
): string {
  const s = (k: Parameters<Translate>[0]) => `${t(k)} (s)`;
  return toCsv(
    [
      'rank',
      'from',
      'to',
      'unit_id',
      t('stats.col.unit'),
      t('stats.col.count'),
      s('stats.col.ackMedian'),
      s('stats.col.ackP90'),
      s('stats.col.resolveMedian'),
      s('stats.col.resolveP90'),
      t('stats.col.escalations'),
      t('stats.col.unacked'),
    ],
    rows.map((r) => [
      r.rank,
      period.from,
      period.to,
      r.unitId,
      pick(r.name, t.lang) || r.unitId,
      r.count,
      seconds(r.ackMedianMs),
      seconds(r.ackP90Ms),
      seconds(r.resolveMedianMs),
      seconds(r.resolveP90Ms),
      r.escalations,
      r.unacknowledged,
    ]),
  );
}
