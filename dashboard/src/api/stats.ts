import type { Texts } from '@steppelink/protocols';
import { request } from './http.ts';

/** One row of the response-time league table (per unit and period). Times in ms; null when no data. */
export interface StatRow {
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
const o = (v: unknown): Raw => (v && typeof v === 'object' ? (v as Raw) : {});

/** Reads a row whatever nesting the hub uses (`ack: { median, p90 }` or flat `ackMedianMs`). */
export function toStatRow(raw: unknown): StatRow {
  const r = o(raw);
  const unit = o(r.unit);
  const ack = o(r.ack ?? r.ackMs ?? r.timeToAck);
  const res = o(r.resolve ?? r.resolveMs ?? r.timeToResolve);
  return {
    unitId: String(r.unitId ?? unit.id ?? ''),
    name: (r.name ?? unit.name) as Partial<Texts> | undefined,
    count: n(r.count) ?? n(r.incidents) ?? n(r.total) ?? 0,
    ackMedianMs: n(r.ackMedianMs) ?? n(ack.median) ?? n(ack.medianMs) ?? n(ack.p50),
    ackP90Ms: n(r.ackP90Ms) ?? n(ack.p90) ?? n(ack.p90Ms),
    resolveMedianMs: n(r.resolveMedianMs) ?? n(res.median) ?? n(res.medianMs) ?? n(res.p50),
    resolveP90Ms: n(r.resolveP90Ms) ?? n(res.p90) ?? n(res.p90Ms),
    escalations: n(r.escalations) ?? 0,
    unacknowledged: n(r.unacknowledged) ?? n(r.unacked) ?? 0,
  };
}

export async function responseStats(q: { from: number; to: number; unit?: string }): Promise<StatRow[]> {
  const body = await request<unknown>('/api/incidents/stats', { query: q });
  const b = o(body);
  const rows = (Array.isArray(body) ? body : (b.units ?? b.rows ?? b.items ?? [])) as unknown[];
  return rows.map(toStatRow);
}
