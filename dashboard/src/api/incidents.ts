import type { Texts } from '@steppelink/protocols';
import { request } from './http.ts';

/**
 * Incidents as the dashboard shows them. The hub's incident routes are mounted by the incidents
 * module at run time (not part of the typed core app), so their bodies are read through
 * `toIncident`, the one place that knows the hub's field names.
 */
export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type IncidentState =
  | 'open'
  | 'notified'
  | 'acknowledged'
  | 'dispatched'
  | 'resolved'
  | 'cancelled'
  | 'false-alarm';
export const CLOSED_STATES: readonly IncidentState[] = ['resolved', 'cancelled', 'false-alarm'];
export const RESCUE_MEANS = ['helicopter', 'ambulance', 'patrol', 'neighbour', 'worker'] as const;
export type RescueMeans = (typeof RESCUE_MEANS)[number];

export interface Incident {
  id: string;
  source: 'sos' | 'rule' | 'report' | 'task';
  category: string;
  severity: Severity;
  state: IncidentState;
  unitId: string;
  unitName?: Partial<Texts>;
  householdId?: string;
  householdName?: string;
  deviceId?: string;
  pos?: { lat: number; lon: number };
  summary?: Partial<Texts>;
  /** Escalation level (0 = grid worker) and the role paged there. */
  level: number;
  levelRole?: string;
  /** When the current level's time to acknowledge runs out (null: no further escalation). */
  nextEscalationAt: number | null;
  openedAt: number;
  updatedAt: number;
  lateMs?: number;
  presses?: number;
  assignee?: { name: string; role?: string };
  rescue?: string;
}

export interface TimelineEntry {
  at: number;
  type: string;
  state?: string;
  level?: number;
  by?: { name: string; role?: string };
  note?: string;
  detail?: string;
}

export interface HouseholdCard {
  id: string;
  name: string;
  phone?: string | null;
  lang?: string;
  location?: { lat: number; lon: number };
  members: { name: string; phone?: string; note?: string }[];
  notes?: string | null;
}

export interface IncidentDetail extends Incident {
  timeline: TimelineEntry[];
  household?: HouseholdCard;
  trail: { t: number; lat: number; lon: number }[];
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Raw | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined;

function texts(v: unknown): Partial<Texts> | undefined {
  if (typeof v === 'string') return { zh: v, mn: v, en: v };
  return obj(v) as Partial<Texts> | undefined;
}

/** Reads one incident from the hub's JSON. Unknown fields are ignored; missing ones get safe defaults. */
export function toIncident(raw: unknown): Incident {
  const r = obj(raw) ?? {};
  const unit = obj(r.unit);
  const hh = obj(r.household);
  const pos = obj(r.pos) ?? obj(r.position);
  const esc = obj(r.escalation);
  const by = obj(r.assignee) ?? obj(r.ackBy) ?? obj(r.acknowledgedBy);
  return {
    id: String(r.id ?? ''),
    source: (str(r.source) ?? 'sos') as Incident['source'],
    category: str(r.category) ?? 'unknown',
    severity: (str(r.severity) ?? 'medium') as Severity,
    state: (str(r.state) ?? 'open') as IncidentState,
    unitId: str(r.unitId) ?? str(unit?.id) ?? '',
    unitName: texts(r.unitName) ?? texts(unit?.name),
    householdId: str(r.householdId) ?? str(hh?.id),
    householdName: str(r.householdName) ?? str(hh?.name),
    deviceId: str(r.deviceId),
    pos:
      pos && num(pos.lat) !== undefined && num(pos.lon) !== undefined
        ? { lat: pos.lat as number, lon: pos.lon as number }
        : undefined,
    summary: texts(r.summary),
    level: num(r.level) ?? num(esc?.level) ?? 0,
    levelRole: str(r.levelRole) ?? str(r.role) ?? str(esc?.role),
    nextEscalationAt: num(r.nextEscalationAt) ?? num(r.ackBy) ?? num(esc?.nextAt) ?? null,
    openedAt: num(r.openedAt) ?? num(r.createdAt) ?? 0,
    updatedAt: num(r.updatedAt) ?? num(r.openedAt) ?? 0,
    lateMs: num(r.lateMs),
    presses: num(r.presses) ?? num(r.count),
    assignee: by && str(by.name) ? { name: by.name as string, role: str(by.role) } : undefined,
    rescue: str(r.rescue),
  };
}

function toTimeline(raw: unknown): TimelineEntry {
  const r = obj(raw) ?? {};
  const by = obj(r.by);
  return {
    at: num(r.at) ?? 0,
    type: str(r.type) ?? str(r.kind) ?? str(r.state) ?? 'event',
    state: str(r.state) ?? str(r.to),
    level: num(r.level),
    by:
      by && str(by.name)
        ? { name: by.name as string, role: str(by.role) }
        : str(r.by)
          ? { name: r.by as string }
          : undefined,
    note: str(r.note),
    detail: str(r.detail) ?? str(r.reason),
  };
}

export function toDetail(raw: unknown): IncidentDetail {
  const r = obj(raw) ?? {};
  const inc = toIncident(obj(r.incident) ?? r);
  const hh = obj(r.household);
  const trailRaw = (
    Array.isArray(r.trail) ? r.trail : Array.isArray(r.positions) ? r.positions : []
  ) as Raw[];
  return {
    ...inc,
    timeline: (Array.isArray(r.timeline) ? r.timeline : []).map(toTimeline).sort((a, b) => a.at - b.at),
    household: hh
      ? {
          id: String(hh.id ?? ''),
          name: String(hh.name ?? ''),
          phone: str(hh.phone) ?? null,
          lang: str(hh.lang),
          location: obj(hh.location) as HouseholdCard['location'],
          members: (Array.isArray(hh.members) ? hh.members : []) as HouseholdCard['members'],
          notes: str(hh.notes) ?? null,
        }
      : undefined,
    trail: trailRaw
      .map((p) => ({
        t: num(p.t) ?? num(p.ts) ?? num(p.at) ?? 0,
        lat: num(p.lat) ?? Number.NaN,
        lon: num(p.lon) ?? Number.NaN,
      }))
      .filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon))
      .sort((a, b) => a.t - b.t),
  };
}

function itemsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  const b = obj(body);
  return (Array.isArray(b?.items) ? b.items : Array.isArray(b?.incidents) ? b.incidents : []) as unknown[];
}

export async function listIncidents(
  q: { open?: boolean; unit?: string; limit?: number } = {},
): Promise<Incident[]> {
  const body = await request<unknown>('/api/incidents', {
    query: {
      state: q.open === false ? undefined : q.open ? 'active' : undefined,
      unit: q.unit,
      limit: q.limit,
    },
  });
  return itemsOf(body).map(toIncident);
}

export async function getIncident(id: string): Promise<IncidentDetail> {
  return toDetail(await request<unknown>(`/api/incidents/${encodeURIComponent(id)}`));
}

export type IncidentAction =
  | { action: 'ack'; note?: string }
  | { action: 'dispatch'; rescue: RescueMeans; note?: string }
  | { action: 'resolve'; note?: string }
  | { action: 'false-alarm'; note?: string };

export async function act(id: string, a: IncidentAction): Promise<Incident> {
  const { action, ...body } = a;
  const res = await request<unknown>(`/api/incidents/${encodeURIComponent(id)}/${action}`, { body });
  const r = obj(res);
  return toIncident(obj(r?.incident) ?? res);
}

export const INCIDENT_STREAM_URL = '/api/incidents/stream';
