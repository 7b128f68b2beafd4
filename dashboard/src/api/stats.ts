import type { Texts } from '@steppelink/protocols';
import { api } from './client.ts';
import { ok } from './http.ts';

/** One row of the response-time league table (per unit and period). Times in ms; null when no data. */
export interface StatRow {
  rank: number;
  unitId: string;
  name?: Partial<Texts>;
  count: number;
  ackMedianMs: number | null;
  ackP90Ms: number | null;
  resolveMedianMs: number | null;
  resolveP90Ms: number | null;
  escalations: number;
  unacknowledged: number;
}

type Raw = Record<string, unknown>;
const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const ms = (s: unknown): number | null => (n(s) === null ? null : Math.round((s as number) * 1000));

/** Reads one row of GET /api/incidents/stats (the hub ranks them and gives times in seconds). */
export function toStatRow(raw: unknown, index = 0): StatRow {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Raw;
  return {
    rank: n(r.rank) ?? index + 1,
    unitId: String(r.unit ?? r.unitId ?? ''),
    name: r.name as Partial<Texts> | undefined,
    count: n(r.opened) ?? 0,
    ackMedianMs: ms(r.ttaMedianS),
    ackP90Ms: ms(r.ttaP90S),
    resolveMedianMs: ms(r.ttrMedianS),
    resolveP90Ms: ms(r.ttrP90S),
    escalations: n(r.escalations) ?? 0,
    unacknowledged: n(r.unacknowledged) ?? 0,
  };
}

/**
 * The league table of the units one level below `unit` (default: the person's top unit), ranked
 * by the hub as the quarterly assessment does: fewest unacknowledged, then fastest median and p90.
 */
export const STAT_LEVELS = ['banner', 'sumu', 'gacha', 'grid'] as const;
export type StatLevel = (typeof STAT_LEVELS)[number];

export async function responseStats(q: {
  from: number;
  to: number;
  unit?: string;
  level?: StatLevel;
}): Promise<StatRow[]> {
  const query = {
    from: String(q.from),
    to: String(q.to),
    ...(q.unit ? { unit: q.unit } : {}),
    ...(q.level ? { level: q.level } : {}),
  };
  const body = await ok(api.api.incidents.stats.$get({ query }));
  return body.rows.map(toStatRow);
}
