import type { IncidentState, Severity, Texts } from '@steppelink/protocols';
import type { ChainStep } from '../duty/chain.ts';
import type { Db } from '../state/db.ts';
import type { AlertInput } from './port.ts';

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
    version: i.version,
  };
}

const COLUMNS = Object.keys(
  incidentParams({
    summary: {},
    chain: [],
    alsoNotify: [],
  } as unknown as Incident),
);

/** Prepared statements over the incident tables. */
export class IncidentTables {
  readonly insert;
  readonly save;
  readonly byId;
  readonly openByKey;
  readonly event;
  readonly events;
  readonly seenMessage;
  readonly rememberMessage;
  private readonly pageLevels;

  constructor(readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO incidents (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
    // Compare-and-set on the version read: a writer that lost the race changes nothing (and rolls back).
    this.save = db.prepare(
      `UPDATE incidents SET ${COLUMNS.filter((c) => c !== 'id' && c !== 'version')
        .map((c) => `${c} = @${c}`)
        .join(', ')}, version = version + 1 WHERE id = @id AND version = @version`,
    );
    this.byId = db.prepare('SELECT * FROM incidents WHERE id = ?');
    this.openByKey = db.prepare('SELECT * FROM incidents WHERE key = ? AND closed_at IS NULL');
    this.event = db.prepare(
      `INSERT INTO incident_events (incident_id, at, type, state, actor, actor_name, actor_role, level, note, data)
       VALUES (@incident, @at, @type, @state, @actor, @actorName, @actorRole, @level, @note, @data)`,
    );
    this.events = db.prepare('SELECT * FROM incident_events WHERE incident_id = ? ORDER BY id');
    this.seenMessage = db.prepare(
      'SELECT incident_id FROM incident_messages WHERE source = ? AND msg_id = ?',
    );
    this.rememberMessage = db.prepare(
      'INSERT OR IGNORE INTO incident_messages (source, msg_id, incident_id, at) VALUES (?, ?, ?, ?)',
    );
    this.pageLevels = db.prepare(
      `SELECT DISTINCT level, people FROM pages WHERE incident_id = ? AND kind = 'alert' ORDER BY level DESC`,
    );
  }

  /**
   * The chain role of the highest level at which this person was paged for the incident, if
   * they hold that role (someone paged beside a level, e.g. a unit a rule asks to notify, does not).
   */
  pagedRole(inc: Incident, personId: string, roles: readonly { role: string }[]): string | undefined {
    for (const r of this.pageLevels.all(inc.id) as { level: number; people: string }[]) {
      const role = inc.chain[r.level]?.role;
      if (!role || !roles.some((x) => x.role === role)) continue;
      if ((JSON.parse(r.people) as string[]).includes(personId)) return role;
    }
    return undefined;
  }

  get(id: string): Incident | undefined {
    const r = this.byId.get(id) as Row | undefined;
    return r ? toIncident(r) : undefined;
  }

  timeline(id: string): TimelineEvent[] {
    return (this.events.all(id) as Row[]).map((r) => ({
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
    }));
  }

  /** Appends a timeline line (the state is the incident's when the line was decided). */
  record(
    incidentId: string,
    at: number,
    e: {
      event: string;
      state: IncidentState;
      actor?: Actor;
      level?: number;
      note?: string;
      data?: Record<string, unknown>;
    },
  ): void {
    this.event.run({
      incident: incidentId,
      at,
      type: e.event,
      state: e.state,
      actor: e.actor?.id ?? null,
      actorName: e.actor?.name ?? null,
      actorRole: e.actor?.role ?? null,
      level: e.level ?? null,
      note: e.note ?? null,
      data: e.data ? JSON.stringify(e.data) : null,
    });
  }
}
