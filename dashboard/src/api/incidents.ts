import type { Texts } from '@steppelink/protocols';
import type { InferResponseType } from 'hono/client';
import { api } from './client.ts';
import type { Delivery } from './deliveries.ts';
import { ok } from './http.ts';

/** Incidents as the dashboard shows them, read through the typed client from the incidents module's routes. */
type IncidentBody = InferResponseType<(typeof api.api.incidents)[':id']['$get'], 200>;
/** The hub's view of one incident, as its routes answer it (and as stream `incident` events carry it). */
export type IncidentView = IncidentBody['incident'];
type TimelineEvent = IncidentBody['timeline'][number];
export type Severity = IncidentView['severity'];
export type IncidentState = IncidentView['state'];
export const CLOSED_STATES: readonly IncidentState[] = ['resolved', 'cancelled', 'false-alarm'];
export const RESCUE_MEANS = ['helicopter', 'ambulance', 'patrol', 'neighbour', 'worker'] as const;
export type RescueMeans = (typeof RESCUE_MEANS)[number];

/** An SOS that reached the hub this much after it was pressed is shown as late (the hub's lateAfterMs). */
export const LATE_AFTER_MS = 30_000;

export interface Incident {
  id: string;
  source: IncidentView['source'];
  category: string;
  severity: Severity;
  state: IncidentState;
  unitId: string;
  unitName?: Texts | null;
  householdId?: string;
  householdName?: string;
  deviceId?: string;
  /** Where the SOS said it was: `acc` metres (when the box knew), `t` when fixed. */
  pos?: { lat: number; lon: number; acc?: number; t?: number };
  summary?: Texts;
  /** The unit and its ancestors, top down (league … grid). */
  place?: IncidentView['place'];
  /** Household members and their phones (from the registry). */
  members?: NonNullable<IncidentView['household']>['members'];
  householdPhone?: string;
  /** What the household typed on the box, and the box's power when it pressed. */
  note?: string;
  power?: { source: string; battery: number | null };
  /** Escalation level (0 = grid worker) and the role paged there. */
  level: number;
  levelRole?: string;
  /** When the hub acts next on its own (null: nothing scheduled) and what it will do then. */
  nextEscalationAt: number | null;
  nextAction?: string;
  escalations: number;
  openedAt: number;
  updatedAt: number;
  lateMs?: number;
  presses?: number;
  assignee?: { name: string };
  rescue?: string;
  /** A drill an officer started (issue #24): real pages, no real emergency. */
  drill?: true;
}

export interface TimelineEntry {
  at: number;
  type: string;
  state?: string;
  level?: number;
  by?: { id: string; name: string; role?: string };
  note?: string;
  /** The step's parameters (who was paged, why it climbed…): the dashboard words it per language. */
  data?: Record<string, unknown>;
}

export interface IncidentDetail extends Incident {
  timeline: TimelineEntry[];
  trail: { t: number; lat: number; lon: number }[];
  /** The escalation chain: the unit and role paged at each level. */
  chain: { unit: string; role: string }[];
  /** Every page and sos-ack of the incident, per receiver and channel, in the order written. */
  deliveries: Delivery[];
  /** Names of the people paged for the incident, by person id (from its deliveries). */
  names: Record<string, string>;
  /** Who acknowledged (person id). */
  ackById?: string;
}

/** The hub's incident view → what the board needs. */
export function toIncident(v: IncidentView): Incident {
  return {
    id: v.id,
    source: v.source,
    category: v.category,
    severity: v.severity,
    state: v.state,
    unitId: v.unit.id,
    unitName: v.unit.name,
    ...(v.household ? { householdId: v.household.id, householdName: v.household.name } : {}),
    ...(v.household?.phone ? { householdPhone: v.household.phone } : {}),
    members: v.household?.members ?? [],
    place: v.place ?? [],
    ...(v.note ? { note: v.note } : {}),
    ...(v.power ? { power: v.power } : {}),
    ...(v.deviceId ? { deviceId: v.deviceId } : {}),
    ...(v.pos ? { pos: v.pos } : {}),
    summary: v.summary,
    level: Math.max(0, v.level),
    ...(v.levelRole ? { levelRole: v.levelRole.role } : {}),
    // prefer the escalation deadline when the hub gives it; otherwise its next timed step (a reminder or the escalation)
    ...nextStep(v),
    escalations: v.escalations,
    openedAt: v.openedAt,
    updatedAt: v.updatedAt,
    ...(v.lateMs >= LATE_AFTER_MS ? { lateMs: v.lateMs } : {}),
    presses: v.presses,
    ...(v.ack?.by ? { assignee: { name: v.ack.by.name } } : {}),
    ...(v.dispatch?.rescue ? { rescue: v.dispatch.rescue } : {}),
    ...(v.details?.drill === true ? { drill: true as const } : {}),
  };
}

function nextStep(v: IncidentView): Pick<Incident, 'nextEscalationAt' | 'nextAction'> {
  const escalateAt = (v as { escalateAt?: number | null }).escalateAt;
  if (typeof escalateAt === 'number') return { nextEscalationAt: escalateAt, nextAction: 'escalate' };
  return v.next
    ? { nextEscalationAt: v.next.at, nextAction: v.next.action ?? 'escalate' }
    : { nextEscalationAt: null };
}

function toTimeline(e: TimelineEvent): TimelineEntry {
  return {
    at: e.at,
    type: e.type,
    ...(e.state ? { state: e.state } : {}),
    ...(e.level !== null ? { level: e.level } : {}),
    ...(e.actor && e.actorName && e.actor !== 'system'
      ? { by: { id: e.actor, name: e.actorName, ...(e.actorRole ? { role: e.actorRole } : {}) } }
      : {}),
    ...(e.note ? { note: e.note } : {}),
    ...(e.data ? { data: e.data } : {}),
  };
}

/** GET /api/incidents: `active` (not closed) or `closed` ones, newest first, within the caller's units. */
export async function listIncidents(q: {
  state: 'active' | 'closed';
  since?: number;
  unit?: string;
  limit?: number;
}): Promise<Incident[]> {
  const query = {
    state: q.state,
    ...(q.since !== undefined ? { since: String(q.since) } : {}),
    ...(q.unit ? { unit: q.unit } : {}),
    ...(q.limit !== undefined ? { limit: String(q.limit) } : {}),
  };
  const body = await ok(api.api.incidents.$get({ query }));
  return body.items.map(toIncident);
}

export async function getIncident(id: string): Promise<IncidentDetail> {
  const body = await ok(api.api.incidents[':id'].$get({ param: { id: encodeURIComponent(id) } }));
  const ackBy = body.incident.ack?.by ?? null;
  return {
    ...toIncident(body.incident),
    timeline: body.timeline.map(toTimeline).sort((a, b) => a.at - b.at),
    trail: body.positions,
    chain: body.chain ?? [],
    deliveries: body.deliveries ?? [],
    names: Object.fromEntries(
      (body.deliveries ?? []).flatMap((d) => (d.person && d.personName ? [[d.person, d.personName]] : [])),
    ),
    ...(ackBy ? { ackById: ackBy.id } : {}),
  };
}

export type IncidentAction =
  | { action: 'ack'; note?: string }
  | { action: 'dispatch'; rescue: RescueMeans; note?: string }
  | { action: 'resolve'; note?: string }
  | { action: 'false-alarm'; note?: string };

export async function act(id: string, a: IncidentAction): Promise<Incident> {
  const { action, ...body } = a;
  const res = await ok(
    api.api.incidents[':id'][action].$post({ param: { id: encodeURIComponent(id) }, json: body }),
  );
  return toIncident(res.incident);
}

/** SSE: `incident` events carry an IncidentView; `ping` every 25 s; `dropped` when the hub's queue overflowed. */
export const INCIDENT_STREAM_URL = '/api/incidents/stream';
