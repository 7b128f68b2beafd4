import type { UnitLevel } from '../registry/schema.ts';
import type { Registry } from '../registry/registry.ts';
import type { Db } from '../state/db.ts';

/** Nearest-rank percentile of an ascending list (p in 0..100); null for an empty list. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}

interface Row {
  unit: string;
  state: string;
  opened_at: number;
  ack_at: number | null;
  closed_at: number | null;
  escalations: number;
}

export interface ResponseStats {
  opened: number;
  acknowledged: number;
  /** Never acknowledged by anyone, and not cancelled by the household: what assessments count against a unit. */
  unacknowledged: number;
  escalations: number;
  resolved: number;
  cancelled: number;
  falseAlarms: number;
  /** Time to acknowledge (first human response), seconds. */
  ttaMedianS: number | null;
  ttaP90S: number | null;
  /** Time to resolve (resolved incidents only), seconds. */
  ttrMedianS: number | null;
  ttrP90S: number | null;
}

function aggregate(rows: readonly Row[]): ResponseStats {
  const s = (ms: number) => Math.round(ms / 100) / 10;
  const tta = rows
    .filter((r) => r.ack_at !== null)
    .map((r) => s(r.ack_at! - r.opened_at))
    .sort((a, b) => a - b);
  const ttr = rows
    .filter((r) => r.state === 'resolved' && r.closed_at !== null)
    .map((r) => s(r.closed_at! - r.opened_at))
    .sort((a, b) => a - b);
  return {
    opened: rows.length,
    acknowledged: tta.length,
    unacknowledged: rows.filter((r) => r.ack_at === null && r.state !== 'cancelled').length,
    escalations: rows.reduce((n, r) => n + r.escalations, 0),
    resolved: rows.filter((r) => r.state === 'resolved').length,
    cancelled: rows.filter((r) => r.state === 'cancelled').length,
    falseAlarms: rows.filter((r) => r.state === 'false-alarm').length,
    ttaMedianS: percentile(tta, 50),
    ttaP90S: percentile(tta, 90),
    ttrMedianS: percentile(ttr, 50),
    ttrP90S: percentile(ttr, 90),
  };
}

function rowsIn(db: Db, units: readonly string[], from: number, to: number): Row[] {
  return db
    .prepare(
      `SELECT unit, state, opened_at, ack_at, closed_at, escalations FROM incidents
       WHERE opened_at >= ? AND opened_at < ? AND unit IN (SELECT value FROM json_each(?))
         AND drill = 0`, // drills are exercises, not responses: they stay out of assessments
    )
    .all(from, to, JSON.stringify(units)) as Row[];
}

/** Response statistics of incidents opened in [from, to) at these units. */
export function summaryStats(db: Db, units: readonly string[], from: number, to: number): ResponseStats {
  return aggregate(rowsIn(db, units, from, to));
}

export interface LeagueRow extends ResponseStats {
  rank: number;
  unit: string;
  level: UnitLevel;
  name: { zh: string; mn: string; en: string };
}

/**
 * The league table: every unit at `level` under `scope`, ranked for the quarterly assessment —
 * fewest unacknowledged first, then fastest median acknowledgement, then fastest p90. Units
 * with no incidents are listed (rank last) so nobody disappears from the table.
 */
export function leagueTable(
  db: Db,
  registry: Registry,
  q: { scope: string; level: UnitLevel; from: number; to: number },
): LeagueRow[] {
  const groups = new Map<string, Row[]>();
  for (const u of registry.descendants(q.scope)) {
    if (registry.getUnit(u)?.level === q.level) groups.set(u, []);
  }
  for (const r of rowsIn(db, registry.descendants(q.scope), q.from, q.to)) {
    const anchor = registry.unitChain(r.unit).find((u) => u.level === q.level)?.id ?? r.unit;
    const list = groups.get(anchor) ?? [];
    list.push(r);
    groups.set(anchor, list);
  }
  const nullsLast = (x: number | null) => x ?? Number.POSITIVE_INFINITY;
  const rows = [...groups].map(([unit, list]) => {
    const u = registry.getUnit(unit);
    return {
      rank: 0,
      unit,
      level: u?.level ?? q.level,
      name: u?.name ?? { zh: unit, mn: unit, en: unit },
      ...aggregate(list),
    };
  });
  rows.sort(
    (a, b) =>
      Number(a.opened === 0) - Number(b.opened === 0) ||
      a.unacknowledged - b.unacknowledged ||
      nullsLast(a.ttaMedianS) - nullsLast(b.ttaMedianS) ||
      nullsLast(a.ttaP90S) - nullsLast(b.ttaP90S) ||
      a.unit.localeCompare(b.unit),
  );
  rows.forEach((r, i) => {
    r.rank = i + 1;
  });
  return rows;
}

const CSV_COLUMNS = [
  'rank',
  'unit',
  'name_zh',
  'name_en',
  'level',
  'opened',
  'acknowledged',
  'unacknowledged',
  'escalations',
  'tta_median_s',
  'tta_p90_s',
  'ttr_median_s',
  'ttr_p90_s',
  'resolved',
  'cancelled',
  'false_alarms',
] as const;

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** The league table as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese names). */
export function leagueCsv(rows: readonly LeagueRow[]): string {
  const lines = rows.map((r) =>
    [
      r.rank,
      r.unit,
      r.name.zh,
      r.name.en,
      r.level,
      r.opened,
      r.acknowledged,
      r.unacknowledged,
      r.escalations,
      r.ttaMedianS,
      r.ttaP90S,
      r.ttrMedianS,
      r.ttrP90S,
      r.resolved,
      r.cancelled,
      r.falseAlarms,
    ]
      .map(cell)
      .join(','),
  );
  return `\uFEFF${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}
