import type { IncidentState, Severity, Texts } from '@steppelink/protocols';
import type { ChainStep } from '../duty/chain.ts';
import type { Facts, PageKind } from './decide.ts';
import type { AlertInput } from './port.ts';
import type { IncidentPolicy } from './policy.ts';

export const CLOSED_STATES: readonly IncidentState[] = ['resolved', 'cancelled', 'false-alarm'];
export const isClosed = (s: IncidentState) => CLOSED_STATES.includes(s);

export type NextAction = 'remind' | 'escalate' | 'remind-top' | 'reescalate' | 'route';

export interface Incident {
  id: string;
  key: string;
  source: AlertInput['source'];
  category: string;
  severity: Severity;
  state: IncidentState;
  unit: string;
  household: string | null;
  device: string | null;
  reporter: string | null;
  sosId: string | null;
  presses: number;
  lastPressAt: number | null;
  sourceTs: number;
  openedAt: number;
  lateMs: number;
  summary: Texts;
  details: Record<string, unknown> | null;
  pos: { lat: number; lon: number; acc?: number; t: number } | null;
  chain: ChainStep[];
  alsoNotify: string[];
  /** Highest level paged so far (-1: nobody yet). */
  level: number;
  levelAt: number | null;
  reminder: number;
  nextAt: number | null;
  nextAction: NextAction | null;
  escalations: number;
  /** Reminders sent at the top of the chain, with nobody above to escalate to. */
  topReminders: number;
  ackBy: string | null;
  ackAt: number | null;
  dispatchedAt: number | null;
  rescue: string | null;
  closedAt: number | null;
  updatedAt: number;
  /** The escalation policy it was raised with (null: raised before policies were data, DEFAULT_POLICY). */
  policy: IncidentPolicy | null;
  /** A drill: the real path, its own short windows, kept out of response statistics. */
  drill: boolean;
  /** Bumped by every save: a save that finds another version was written by someone else (optimistic concurrency). */
  version: number;
}

export interface TimelineEvent {
  id: number;
  at: number;
  type: string;
  state: IncidentState | null;
  actor: string | null;
  actorName: string | null;
  actorRole: string | null;
  level: number | null;
  note: string | null;
  data: Record<string, unknown> | null;
}

/** Who did something: a person (API or phone), the household's device, or the hub itself. */
export interface Actor {
  kind: 'person' | 'device' | 'system';
  id: string;
  name: string;
  role?: string;
}
export const SYSTEM: Actor = { kind: 'system', id: 'system', name: 'SteppeLink' };

type Row = Record<string, unknown>;
const json = <T>(v: unknown): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : null);

export function toIncident(r: Row): Incident {
  return {
    id: r.id as string,
    key: r.key as string,
    source: r.source as Incident['source'],
    category: r.category as string,
    severity: r.severity as Severity,
    state: r.state as IncidentState,
    unit: r.unit as string,
    household: (r.household as string | null) ?? null,
    device: (r.device as string | null) ?? null,
    reporter: (r.reporter as string | null) ?? null,
    sosId: (r.sos_id as string | null) ?? null,
    presses: r.presses as number,
    lastPressAt: (r.last_press_at as number | null) ?? null,
    sourceTs: r.source_ts as number,
    openedAt: r.opened_at as number,
    lateMs: r.late_ms as number,
    summary: JSON.parse(r.summary as string) as Texts,
    details: json(r.details),
    pos:
      r.pos_lat === null || r.pos_lat === undefined
        ? null
        : {
            lat: r.pos_lat as number,
            lon: r.pos_lon as number,
            ...(r.pos_acc === null ? {} : { acc: r.pos_acc as number }),
            t: r.pos_at as number,
          },
    chain: JSON.parse(r.chain as string) as ChainStep[],
    alsoNotify: json<string[]>(r.also_notify) ?? [],
    level: r.level as number,
    levelAt: (r.level_at as number | null) ?? null,
    reminder: r.reminder as number,
    nextAt: (r.next_at as number | null) ?? null,
    nextAction: (r.next_action as NextAction | null) ?? null,
    escalations: r.escalations as number,
    topReminders: r.top_reminders as number,
    ackBy: (r.ack_by as string | null) ?? null,
    ackAt: (r.ack_at as number | null) ?? null,
    dispatchedAt: (r.dispatched_at as number | null) ?? null,
    rescue: (r.rescue as string | null) ?? null,
    closedAt: (r.closed_at as number | null) ?? null,
    updatedAt: r.updated_at as number,
    policy: json<IncidentPolicy>(r.policy),
    drill: r.drill === 1 || r.drill === true,
    version: (r.version as number | undefined) ?? 0,
  };
}

/** Column values of an incident, for INSERT and UPDATE. */
export function incidentParams(i: Incident): Row {
  return {
    id: i.id,
    key: i.key,
    source: i.source,
    category: i.category,
    severity: i.severity,
    state: i.state,
    unit: i.unit,
    household: i.household,
    device: i.device,
    reporter: i.reporter,
    sos_id: i.sosId,
    presses: i.presses,
    last_press_at: i.lastPressAt,
    source_ts: i.sourceTs,
    opened_at: i.openedAt,
    late_ms: i.lateMs,
    summary: JSON.stringify(i.summary),
    details: i.details ? JSON.stringify(i.details) : null,
    pos_lat: i.pos?.lat ?? null,
    pos_lon: i.pos?.lon ?? null,
    pos_acc: i.pos?.acc ?? null,
    pos_at: i.pos?.t ?? null,
    chain: JSON.stringify(i.chain),
    also_notify: i.alsoNotify.length > 0 ? JSON.stringify(i.alsoNotify) : null,
    level: i.level,
    level_at: i.levelAt,
    reminder: i.reminder,
    next_at: i.nextAt,
    next_action: i.nextAction,
    escalations: i.escalations,
    top_reminders: i.topReminders,
    ack_by: i.ackBy,
    ack_at: i.ackAt,
    dispatched_at: i.dispatchedAt,
    rescue: i.rescue,
    closed_at: i.closedAt,
    updated_at: i.updatedAt,
    policy: i.policy ? JSON.stringify(i.policy) : null,
    drill: i.drill ? 1 : 0,
    version: i.version,
  };
}

/** The incidents table's columns, as `incidentParams` names them. */
export const COLUMNS: readonly string[] = Object.keys(
  incidentParams({ summary: {}, chain: [], alsoNotify: [] } as unknown as Incident),
);

/** A timeline row as the API shows it. */
export function toTimelineEvent(r: Row): TimelineEvent {
  return {
    id: r.id as number,
    at: r.at as number,
    type: r.type as string,
    state: (r.state as IncidentState | null) ?? null,
    actor: (r.actor as string | null) ?? null,
    actorName: (r.actor_name as string | null) ?? null,
    actorRole: (r.actor_role as string | null) ?? null,
    level: (r.level as number | null) ?? null,
    note: (r.note as string | null) ?? null,
    data: json(r.data),
  };
}

/**
 * What the decision core knows of an incident beside its row, from its page steps and the
 * timeline lines that carry facts (declines, unreachable levels, the device times of its presses).
 */
export function factsOf(
  inc: Incident,
  pages: readonly Row[],
  events: readonly Row[],
): Facts & { declined: { level: number; person: string }[]; unreachable: number[] } {
  const facts = {
    pages: pages.map((p) => ({
      level: p.level as number,
      reminder: p.reminder as number,
      kind: p.kind as PageKind,
      people: JSON.parse(p.people as string) as string[],
    })),
    declined: [] as { level: number; person: string }[],
    unreachable: [] as number[],
    pressSpan: { minTs: inc.sourceTs, maxTs: inc.sourceTs },
  };
  for (const r of events) {
    if (r.type === 'declined' && r.actor !== null) {
      facts.declined.push({ level: (r.level as number | null) ?? -1, person: r.actor as string });
    } else if (r.type === 'unreachable' && r.level !== null) facts.unreachable.push(r.level as number);
    else if (r.type === 'pressed-again') {
      const ts = json<{ ts?: number }>(r.data)?.ts;
      if (typeof ts !== 'number') continue;
      facts.pressSpan.minTs = Math.min(facts.pressSpan.minTs, ts);
      facts.pressSpan.maxTs = Math.max(facts.pressSpan.maxTs, ts);
    }
  }
  return facts;
}
