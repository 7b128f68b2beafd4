import {
  CANNED_REPLY_TEXTS,
  type CannedReply,
  type IncidentState,
  type Severity,
  type Texts,
} from '@steppelink/protocols';
import type { ChainStep } from '../duty/chain.ts';
import type { EscalationPolicy } from './defaults.ts';
import type { IncidentPolicy } from './policy.ts';
import type { AlertInput } from './port.ts';
import type { Unreached } from './reach.ts';
import { type Actor, type Incident, isClosed, SYSTEM } from './store.ts';
import { durationTexts, pagePrefix, prefixed, type Rescue, roleName } from './texts.ts';

/**
 * The incident decision core: `decide(state, event, now, world, config)` returns the incident
 * after the event and the effects it asks for (pages, sos-acks, timeline lines). No I/O, no
 * clock, no registry: time, who is on duty and people's names come in as data, so the same
 * inputs always give the same decision (property-tested in decide.test.ts). The runner
 * (engine.ts) loads the state, asks the core, and writes the state and effects in one
 * transaction before anything is delivered.
 */

/**
 * How long after an SOS incident closed (hub receive time) a resent copy of one of its presses
 * still folds into it instead of opening a new incident: a box that was offline flushes its
 * queue within seconds of reconnecting; 2 min covers a slow flush, and is short enough that a
 * herder pressing again for a new emergency is never silenced for long (see `latePressFolds`).
 */
export const LATE_PRESS_WINDOW_MS = 2 * 60_000;

export const ACTIONS = ['ack', 'decline', 'dispatch', 'resolve', 'false-alarm', 'cancel'] as const;
export type Action = (typeof ACTIONS)[number];

const ALLOWED: Record<Exclude<Action, 'decline'>, readonly IncidentState[]> = {
  ack: ['open', 'notified'],
  dispatch: ['open', 'notified', 'acknowledged', 'dispatched'],
  resolve: ['open', 'notified', 'acknowledged', 'dispatched'],
  'false-alarm': ['open', 'notified', 'acknowledged', 'dispatched'],
  cancel: ['open', 'notified', 'acknowledged', 'dispatched'],
};

export type PageKind = 'alert' | 'closing';

/** A page step already written: (level, reminder, kind) happens once per incident. */
export interface PageDone {
  level: number;
  reminder: number;
  kind: PageKind;
  people: readonly string[];
}

/** What the core knows of an incident beside its row (the runner loads it with the row). */
export interface Facts {
  pages: readonly PageDone[];
  /** Who declined at which level. */
  declined: readonly { level: number; person: string }[];
  /** Levels recorded as unreachable (once each). */
  unreachable: readonly number[];
  /** Device timestamps of the presses it counted: the span `latePressFolds` reads. */
  pressSpan: { minTs: number; maxTs: number };
}

export interface IncidentCore {
  inc: Incident;
  facts: Facts;
}

/**
 * What the core may ask of the world at `now`: who is on duty at a level of the incident's chain,
 * the heads of the units it also notifies, and people's names for the timeline. Answers are
 * fixed for one decision (the runner looks them up once, on first ask), so the same answers give
 * the same decision.
 */
export interface World {
  duty(level: number): { people: readonly string[]; reason?: string | undefined };
  /** Heads on duty of the units the incident also notifies at once. */
  alsoNotify(): readonly string[];
  name(personId: string): string;
}

export interface CoreConfig {
  policy: Record<Severity, EscalationPolicy>;
  repeatWindowMs: number;
  rerouteEveryMs: number;
  lateAfterMs: number;
  latePressWindowMs?: number;
}

export type IncidentEvent =
  | {
      /** An alert or SOS press for `input.key`; `current` is the open incident of the key, else its last closed one. */
      type: 'raise';
      input: AlertInput;
      /** Id for the incident should this open one. */
      newId: string;
      receivedAt: number;
      chain: readonly ChainStep[];
      presses?: number;
      sosId?: string;
      /** The person who reported it (never paged for their own report), with their role. */
      reporter?: Actor;
      msgId?: string;
      /**
       * The escalation policy a new incident gets (resolved by the runner for its unit and
       * severity, a drill's own); without it, `CoreConfig.policy` of its severity.
       */
      policy?: IncidentPolicy;
      /** Raised as a drill (an officer's exercise): marked so, kept out of statistics. */
      drill?: boolean;
    }
  | { type: 'act'; action: Action; actor: Actor; note?: string; rescue?: Rescue }
  | { type: 'clear'; at: number; note?: string }
  | { type: 'due' }
  | { type: 'unreachable'; level: number; people: readonly Unreached[] }
  /** A copy of the SOS `sosId` reached the hub over `path` (the runner asks once per path and SOS). */
  | { type: 'arrived'; path: 'mqtt' | 'sms' | 'beidou'; sosId: string; from?: string }
  /**
   * A message in the SOS conversation (issue #27): the household's reply from its box (a canned
   * code and/or short text), or a responder's short text (phone, board) for the box. Refused once
   * the incident is closed.
   */
  | { type: 'message'; message: ConversationMessage }
  /** The reader showed or opened message `messageId` (the box's read receipt, a phone's open). */
  | { type: 'message-read'; messageId: string; actor: Actor; from: 'household' | 'responder' };

/** One message of an SOS conversation, as the core records it. */
export interface ConversationMessage {
  /** its id: the box's sos-reply id, or the hub's (or client's) id of a responder's text */
  id: string;
  from: 'household' | 'responder';
  actor: Actor;
  canned?: CannedReply;
  text?: string;
  via: 'mqtt' | 'http';
}

export type Effect =
  | {
      type: 'record';
      /** timeline event type */
      event: string;
      state: IncidentState;
      actor?: Actor;
      level?: number;
      note?: string;
      data?: Record<string, unknown>;
    }
  | {
      type: 'page';
      step: { level: number; reminder: number; kind: PageKind; ackBy: number | null };
      people: readonly string[];
      /** what the page says: level and role it speaks for, the answer deadline, the texts */
      content: { level: number; role: string; ackBy: number; texts: Texts; idSuffix?: string };
      /** the first page of a new incident (the runner may send its app alerts ahead) */
      first?: boolean;
    }
  | {
      type: 'sos-ack';
      state: IncidentState;
      by?: { person: string; role?: string };
      previous?: string;
      rescue?: Rescue;
      byHousehold?: boolean;
      lateMs?: number;
    }
  /** The household's message, to everyone paged for the incident so far (their alert topic). */
  | { type: 'forward'; message: ConversationMessage; people: readonly string[] }
  /** A responder's text to the household's box (`down/sos-msg`). */
  | { type: 'sos-msg'; message: ConversationMessage & { text: string } };

export type Outcome =
  | { ok: true; created?: boolean; folded?: string }
  | { ok: false; status: 409; error: string };

export interface Decision {
  /** The incident after the event (a new one when `created`). */
  state: IncidentCore;
  /** Whether anything changed (false: nothing to write). */
  changed: boolean;
  effects: Effect[];
  outcome: Outcome;
}

/** What `latePressFolds` knows of the household's most recently closed SOS incident. */
export interface ClosedSos {
  /** hub time it closed */
  closedAt: number;
  /** device timestamps of the presses it counted */
  minTs: number;
  maxTs: number;
}

/**
 * Whether an SOS press (a message id the hub has not applied, with no open incident for its
 * household) belongs to the household's last closed incident. Decided by hub receive time and
 * incident state; the device clock only ever narrows a fold, it never makes one on its own:
 *
 * - received while that incident was still open (`receivedAt < closedAt`, e.g. an inbox replay
 *   after a crash): it belongs to it, as it would have joined had it been handled at once;
 * - received more than `windowMs` after the close: never; it opens a new incident and pages;
 * - received within the window: only if it is a press of that emergency sent again, i.e. its
 *   box timestamp lies within the span of the presses the incident already counted
 *   ([minTs, maxTs], by the same box clock). A press stamped after the last counted press is a
 *   new press; one stamped before the first is one the hub cannot place: both open a new
 *   incident. Paging for a stale press costs a phone call; folding a new emergency costs a life.
 */
export function latePressFolds(
  closed: ClosedSos | undefined,
  press: { ts: number; receivedAt: number },
  windowMs: number,
): boolean {
  if (!closed) return false;
  if (press.receivedAt < closed.closedAt) return true;
  if (press.receivedAt > closed.closedAt + windowMs) return false;
  return press.ts >= closed.minTs && press.ts <= closed.maxTs;
}

/** The incident a raise opens (nothing paged yet). */
export function newIncident(e: Extract<IncidentEvent, { type: 'raise' }>, now: number): Incident {
  const { input } = e;
  return {
    id: e.newId,
    key: input.key,
    source: input.source,
    category: input.category,
    severity: input.severity,
    state: 'open',
    unit: input.unitId,
    household: input.householdId ?? null,
    device: input.deviceId ?? null,
    reporter: e.reporter?.id ?? null,
    sosId: e.sosId ?? null,
    presses: e.presses ?? 1,
    lastPressAt: now,
    sourceTs: input.at,
    openedAt: now,
    lateMs: Math.max(0, e.receivedAt - input.at),
    summary: input.summary,
    details: input.details ?? null,
    pos: input.pos ? { ...input.pos, t: input.at } : null,
    chain: [...e.chain],
    alsoNotify: input.alsoNotify ?? [],
    level: -1,
    levelAt: null,
    reminder: 0,
    nextAt: null,
    nextAction: null,
    escalations: 0,
    topReminders: 0,
    ackBy: null,
    ackAt: null,
    dispatchedAt: null,
    rescue: null,
    closedAt: null,
    updatedAt: now,
    policy: e.policy ?? null,
    drill: e.drill === true,
    version: 0,
  };
}

type RouteMode = 'first' | 'retry' | 'escalate' | 'reescalate';

/** One decision in progress: a copy of the incident and its facts, and the effects so far. */
class Step {
  readonly effects: Effect[] = [];
  readonly inc: Incident;
  pages: PageDone[];
  declined: { level: number; person: string }[];
  unreachable: number[];
  pressSpan: Facts['pressSpan'];

  constructor(
    s: IncidentCore,
    readonly now: number,
    readonly world: World,
    readonly cfg: CoreConfig,
  ) {
    this.inc = { ...s.inc }; // the core replaces nested values (pos, details), never edits them
    this.pages = [...s.facts.pages];
    this.declined = [...s.facts.declined];
    this.unreachable = [...s.facts.unreachable];
    this.pressSpan = { ...s.facts.pressSpan };
  }

  done(outcome: Outcome, changed = true): Decision {
    if (changed) this.inc.updatedAt = this.now;
    return {
      state: {
        inc: this.inc,
        facts: {
          pages: this.pages,
          declined: this.declined,
          unreachable: this.unreachable,
          pressSpan: this.pressSpan,
        },
      },
      changed,
      effects: this.effects,
      outcome,
    };
  }

  /** The policy the incident was raised with; incidents from before policies were data use the config's. */
  get policy(): EscalationPolicy {
    return this.inc.policy ?? this.cfg.policy[this.inc.severity];
  }

  ackTimeout(level: number): number {
    const list = this.policy.ackTimeoutMs;
    return list[Math.min(level, list.length - 1)] ?? 180_000;
  }

  names(ids: readonly string[]): string {
    return ids.map((id) => this.world.name(id)).join('、');
  }

  record(event: string, o: Omit<Extract<Effect, { type: 'record' }>, 'type' | 'event' | 'state'> = {}): void {
    this.effects.push({ type: 'record', event, state: this.inc.state, ...o });
  }

  /** Everyone paged with an alert so far, optionally at one level only. */
  paged(level?: number): string[] {
    const out = new Set<string>();
    for (const p of this.pages) {
      if (p.kind !== 'alert' || (level !== undefined && p.level !== level)) continue;
      for (const id of p.people) out.add(id);
    }
    return [...out];
  }

  /** Writes a page step unless it was written before (a step happens once). */
  page(
    step: { level: number; reminder: number; kind: PageKind; ackBy: number | null },
    people: readonly string[],
    content: Extract<Effect, { type: 'page' }>['content'],
    first = false,
  ): void {
    const seen = this.pages.some(
      (p) => p.level === step.level && p.reminder === step.reminder && p.kind === step.kind,
    );
    if (seen) return;
    this.pages.push({ ...step, people: [...people] });
    this.effects.push({ type: 'page', step, people: [...people], content, ...(first ? { first } : {}) });
  }

  /** The household's sos-ack for the incident's current state. */
  feedback(o: Omit<Extract<Effect, { type: 'sos-ack' }>, 'type' | 'state' | 'lateMs'> = {}): void {
    const inc = this.inc;
    if (inc.source !== 'sos' || !inc.device) return;
    const late = inc.lateMs > this.cfg.lateAfterMs ? { lateMs: inc.lateMs } : {};
    this.effects.push({ type: 'sos-ack', state: inc.state, ...late, ...o });
  }

  transition(state: IncidentState, actor?: Actor, note?: string): void {
    this.inc.state = state;
    if (isClosed(state)) this.inc.closedAt = this.now;
    this.record(state, { ...(actor ? { actor } : {}), ...(note ? { note } : {}), level: this.inc.level });
  }

  /** Who is on duty at one level (the reporter is never paged for their own report). */
  dutyAt(level: number) {
    const duty = this.world.duty(level);
    return { duty, people: duty.people.filter((p) => p !== this.inc.reporter) };
  }

  /**
   * Pages the first level from `from` up that has somebody on duty, recording each level
   * skipped and why. Returns false when no level from `from` up has anyone.
   */
  route(from: number, mode: RouteMode, quiet = false): boolean {
    const inc = this.inc;
    const now = this.now;
    for (let level = from; level < inc.chain.length; level++) {
      const step = inc.chain[level]!;
      const { duty, people } = this.dutyAt(level);
      if (people.length === 0) {
        const reason =
          duty.people.length > 0 ? 'only the reporter is on duty' : (duty.reason ?? 'nobody on duty');
        if (!quiet) {
          this.record('skipped', {
            level,
            note: `${roleName(step.role).zh} ${step.unit}: ${reason}`,
            data: { unit: step.unit, role: step.role, reason },
          });
        }
        continue;
      }
      const extra = mode === 'first' ? this.world.alsoNotify() : [];
      const previous = inc.level >= 0 ? inc.chain[inc.level]?.role : undefined;
      inc.level = level;
      inc.levelAt = now;
      inc.reminder = 0;
      inc.topReminders = 0;
      inc.nextAction = null; // the caller schedules the next step for the new level
      const ackBy =
        mode === 'reescalate'
          ? now + (this.policy.dispatchTimeoutMs ?? this.ackTimeout(level))
          : now + this.ackTimeout(level);
      const all = [...new Set([...people, ...extra])];
      const texts = mode === 'reescalate' ? prefixed(pagePrefix('reescalated'), inc.summary) : inc.summary;
      this.page(
        { level, reminder: 0, kind: 'alert', ackBy },
        all,
        { level, role: step.role, ackBy, texts },
        mode === 'first',
      );
      this.record('paged', {
        level,
        note: `${roleName(step.role).zh} ${this.names(all)}`,
        data: { unit: step.unit, role: step.role, people: all, ackBy, mode },
      });
      if (mode !== 'reescalate' && inc.state === 'open') this.transition('notified');
      if (mode !== 'reescalate' && inc.state === 'notified') {
        this.feedback({
          by: { person: people[0]!, role: step.role },
          ...(mode === 'escalate' && previous ? { previous } : {}),
        });
      }
      return true;
    }
    return false;
  }

  /** Sets the incident's one timer (`nextAt`/`nextAction`) from its state and policy. */
  schedule(): void {
    const inc = this.inc;
    const p = this.policy;
    const now = this.now;
    const awaiting = inc.state === 'open' || inc.state === 'notified';
    if (awaiting && inc.nextAction === 'remind-top') return; // the top level keeps its own reminder timer
    inc.nextAt = null;
    inc.nextAction = null;
    if (isClosed(inc.state) || inc.state === 'dispatched') return;
    if (inc.state === 'acknowledged') {
      if (p.dispatchTimeoutMs !== null && inc.level + 1 < inc.chain.length) {
        inc.nextAt = Math.max(inc.ackAt ?? now, inc.levelAt ?? 0) + p.dispatchTimeoutMs;
        inc.nextAction = 'reescalate';
      }
      return;
    }
    if (inc.level < 0) {
      inc.nextAt = now + this.cfg.rerouteEveryMs;
      inc.nextAction = 'route';
      return;
    }
    const levelAt = inc.levelAt ?? now;
    const deadline = levelAt + this.ackTimeout(inc.level);
    const remindAt =
      p.reminderEveryMs > 0 ? levelAt + (inc.reminder + 1) * p.reminderEveryMs : Number.POSITIVE_INFINITY;
    if (remindAt < deadline) {
      inc.nextAt = remindAt;
      inc.nextAction = 'remind';
    } else {
      inc.nextAt = deadline;
      inc.nextAction = 'escalate';
    }
  }

  /** Pages the current level again (whoever is on duty there now, else whoever was paged). */
  remind(ackBy: number, why?: string): void {
    const inc = this.inc;
    const step = inc.chain[inc.level];
    if (!step) return;
    let people: readonly string[] = this.dutyAt(inc.level).people;
    if (people.length === 0) people = this.paged(inc.level);
    const texts = prefixed(pagePrefix('reminder', inc.reminder), inc.summary);
    this.page({ level: inc.level, reminder: inc.reminder, kind: 'alert', ackBy }, people, {
      level: inc.level,
      role: step.role,
      ackBy,
      texts,
    });
    this.record('reminded', {
      level: inc.level,
      note: `${why ? `${why}; ` : ''}${this.names(people)}`,
      data: { reminder: inc.reminder, people },
    });
  }

  private remindTop(): void {
    const inc = this.inc;
    const p = this.policy;
    if (inc.topReminders >= p.topReminders) {
      this.record('reminders-exhausted', {
        level: inc.level,
        note: 'no more reminders; the incident stays open',
      });
      inc.nextAt = null;
      inc.nextAction = null;
    } else {
      inc.nextAt = this.now + p.topReminderEveryMs;
      inc.nextAction = 'remind-top';
    }
  }

  /**
   * Runs the incident's due step: called when its timer is due, or at once when everyone paged
   * at the level declined or nobody there could be reached.
   */
  escalation(cause: 'due' | 'declined' | 'unreachable' = 'due'): void {
    const inc = this.inc;
    const p = this.policy;
    const now = this.now;
    const level = inc.level;
    const step = inc.chain[level];
    switch (inc.nextAction) {
      case 'route':
        if (!this.route(0, 'retry', true)) {
          this.schedule();
          return;
        }
        break;
      case 'remind':
        inc.reminder += 1;
        this.remind((inc.levelAt ?? now) + this.ackTimeout(inc.level));
        break;
      case 'escalate': {
        const silent = this.paged(level);
        inc.escalations += 1;
        this.record('escalated', {
          level,
          note:
            cause === 'declined'
              ? `${this.names(silent)} 均已拒绝`
              : cause === 'unreachable'
                ? `${this.names(silent)} 无法送达`
                : `${this.names(silent)} 未在 ${durationTexts(this.ackTimeout(level)).zh} 内确认`,
          data: { from: level, people: silent, cause },
        });
        if (!this.route(level + 1, 'escalate')) {
          this.record('top-reached', {
            level,
            note: `no one above ${step ? roleName(step.role).en : 'this level'} is on duty; reminding this level`,
          });
          this.remindTop();
          return;
        }
        break;
      }
      case 'remind-top':
        // Someone may have come on duty above since (a shift change): try them first.
        if (this.route(level + 1, 'escalate', true)) {
          inc.escalations += 1;
          break;
        }
        inc.reminder += 1;
        inc.topReminders += 1;
        this.remind(now + p.topReminderEveryMs);
        this.remindTop();
        return;
      case 'reescalate': {
        inc.escalations += 1;
        const acker = inc.ackBy ? this.names([inc.ackBy]) : '';
        this.record('reescalated', {
          level,
          note: `${acker} 已确认，但 ${durationTexts(p.dispatchTimeoutMs ?? 0).zh} 内未出动`,
        });
        if (!this.route(level + 1, 'reescalate')) {
          this.record('top-reached', { level, note: 'no level above to re-escalate to' });
          inc.nextAt = null;
          inc.nextAction = null;
          return;
        }
        break;
      }
      default:
        break;
    }
    this.schedule();
  }

  /** Tells everyone paged so far (but `except`) that the incident closed, and why. */
  closingNotice(state: IncidentState, except?: string): void {
    const inc = this.inc;
    const people = this.paged().filter((p) => p !== except);
    if (people.length === 0) return;
    const kind = state === 'cancelled' ? 'cancelled' : state === 'false-alarm' ? 'false-alarm' : 'resolved';
    const level = Math.max(0, inc.level);
    this.page({ level: 0, reminder: 0, kind: 'closing', ackBy: null }, people, {
      level,
      role: inc.chain[level]?.role ?? 'grid-worker',
      ackBy: this.now,
      texts: prefixed(pagePrefix(kind), inc.summary),
      idSuffix: state,
    });
  }
}

const NO_FACTS: Facts = { pages: [], declined: [], unreachable: [], pressSpan: { minTs: 0, maxTs: 0 } };

/** The core as an empty incident (for a raise that opens one). */
export function freshCore(inc: Incident): IncidentCore {
  return { inc, facts: { ...NO_FACTS, pressSpan: { minTs: inc.sourceTs, maxTs: inc.sourceTs } } };
}

/**
 * Decides what an event does to an incident. `current` is the incident the event is about
 * (for a raise: the open incident of its key, else the key's last closed one, else undefined).
 */
export function decide(
  current: IncidentCore | undefined,
  event: IncidentEvent,
  now: number,
  world: World,
  cfg: CoreConfig,
): Decision {
  if (event.type === 'raise') return raise(current, event, now, world, cfg);
  if (!current) throw new Error(`decide: ${event.type} needs an incident`);
  const s = new Step(current, now, world, cfg);
  const inc = s.inc;
  switch (event.type) {
    case 'act':
      return act(s, event);
    case 'clear': {
      if (isClosed(inc.state) || inc.source === 'sos') return s.done({ ok: true }, false); // only the household or a person closes an SOS
      s.transition('resolved', SYSTEM, event.note ?? 'auto-cleared: the condition ended');
      inc.details = { ...inc.details, clearedAt: event.at };
      s.closingNotice('resolved');
      s.schedule();
      return s.done({ ok: true });
    }
    case 'due': {
      if (isClosed(inc.state) && inc.nextAt !== null) {
        inc.nextAt = null; // a timer left on a closed incident: cleared, never run
        inc.nextAction = null;
        return s.done({ ok: true });
      }
      if (inc.nextAt === null || inc.nextAt > now || isClosed(inc.state)) return s.done({ ok: true }, false);
      s.escalation('due');
      return s.done({ ok: true });
    }
    case 'arrived': {
      const from = event.from ? { from: event.from } : {};
      s.record('sos-path', {
        note: `SOS ${event.sosId} via ${event.path}`,
        data: { path: event.path, sosId: event.sosId, ...from },
      });
      return s.done({ ok: true });
    }
    case 'message':
      return message(s, event.message);
    case 'message-read': {
      s.record('message-read', {
        actor: event.actor,
        note: `${event.actor.name} read ${event.messageId}`,
        data: { messageId: event.messageId, from: event.from },
      });
      return s.done({ ok: true });
    }
    case 'unreachable': {
      const waiting = inc.state === 'open' || inc.state === 'notified';
      if (!waiting || inc.level !== event.level || s.unreachable.includes(event.level)) {
        return s.done({ ok: false, status: 409, error: 'the incident moved on' }, false);
      }
      const how = event.people.map(
        (u) => `${s.names([u.person])}（${u.channels.map((c) => `${c.channel} ${c.status}`).join('，')}）`,
      );
      s.record('unreachable', {
        level: event.level,
        note: `无法送达：${how.join('；') || '无可用渠道'}`,
        data: { people: event.people },
      });
      s.unreachable.push(event.level);
      inc.nextAction = 'escalate'; // the same climb as a missed ack window, now
      s.escalation('unreachable');
      return s.done({ ok: true });
    }
  }
}

function raise(
  current: IncidentCore | undefined,
  e: Extract<IncidentEvent, { type: 'raise' }>,
  now: number,
  world: World,
  cfg: CoreConfig,
): Decision {
  const { input } = e;
  if (current && !isClosed(current.inc.state)) return join(new Step(current, now, world, cfg), e);
  const closed = current?.inc.closedAt;
  if (current && closed != null && input.source === 'sos') {
    const window = cfg.latePressWindowMs ?? LATE_PRESS_WINDOW_MS;
    const span = current.facts.pressSpan;
    const press = { ts: input.at, receivedAt: e.receivedAt };
    if (latePressFolds({ closedAt: closed, ...span }, press, window)) {
      // A press of an emergency that is over, sent again: recorded on it, not paged; the box
      // hears again that it is closed (the sos-ack says to press again if help is still needed).
      const s = new Step(current, now, world, cfg);
      const after = e.receivedAt - closed;
      const reason =
        after < 0
          ? `press received while ${s.inc.id} was open, handled after it closed: folded into it, not paged`
          : `press received ${durationTexts(after).en} after ${s.inc.id} closed, stamped within its presses: folded into it, not paged`;
      s.record('late-press', {
        note: reason,
        data: { msgId: e.msgId, ts: input.at, receivedAt: e.receivedAt, closedAt: closed },
      });
      s.feedback();
      return s.done({ ok: true, folded: reason });
    }
  }
  return create(new Step(freshCore(newIncident(e, now)), now, world, cfg), e);
}

function create(s: Step, e: Extract<IncidentEvent, { type: 'raise' }>): Decision {
  const inc = s.inc;
  s.record('open', {
    ...(e.reporter ? { actor: e.reporter } : {}),
    note: `${e.input.source} ${e.input.category} (${e.input.severity})`,
    data: {
      key: e.input.key,
      unit: e.input.unitId,
      chain: inc.chain,
      policy: inc.policy?.source ?? 'default',
      ...(inc.drill ? { drill: true } : {}),
    },
  });
  if (inc.lateMs > s.cfg.lateAfterMs) {
    s.record('late', {
      note: `SOS 晚到 ${durationTexts(inc.lateMs).zh}（设备离线期间排队）`,
      data: { lateMs: inc.lateMs, sourceTs: e.input.at, receivedAt: e.receivedAt },
    });
  }
  s.feedback();
  if (!s.route(0, 'first')) {
    s.record('unrouted', {
      note: `nobody is on duty at any level; trying again every ${durationTexts(s.cfg.rerouteEveryMs).en}`,
    });
  }
  s.schedule();
  return s.done({ ok: true, created: true });
}

function join(s: Step, e: Extract<IncidentEvent, { type: 'raise' }>): Decision {
  const inc = s.inc;
  const { input } = e;
  const sincePress = s.now - (inc.lastPressAt ?? inc.openedAt);
  inc.presses += e.presses ?? 1;
  inc.lastPressAt = s.now;
  if (input.pos && (!inc.pos || input.at >= inc.pos.t)) inc.pos = { ...input.pos, t: input.at };
  if (input.details) inc.details = { ...inc.details, ...input.details };
  if (input.source === 'sos') {
    s.record('pressed-again', {
      note: `presses: ${inc.presses}`,
      data: { presses: inc.presses, ts: input.at },
    });
    s.pressSpan = {
      minTs: Math.min(s.pressSpan.minTs, input.at),
      maxTs: Math.max(s.pressSpan.maxTs, input.at),
    };
    const waiting = inc.state === 'open' || inc.state === 'notified';
    if (waiting && inc.level >= 0 && sincePress > s.cfg.repeatWindowMs) {
      inc.reminder += 1;
      s.remind((inc.levelAt ?? s.now) + s.ackTimeout(inc.level), 'pressed again');
    }
  }
  return s.done({ ok: true });
}

function act(s: Step, e: Extract<IncidentEvent, { type: 'act' }>): Decision {
  const inc = s.inc;
  const { action, actor, note } = e;
  if (action === 'decline') return decline(s, actor, note);
  if (!ALLOWED[action].includes(inc.state)) {
    return s.done({ ok: false, status: 409, error: `incident is ${inc.state}; cannot ${action}` }, false);
  }
  const human = actor.kind === 'person';
  if (human && inc.ackAt === null && action !== 'cancel') {
    inc.ackBy = actor.id;
    inc.ackAt = s.now;
    if (action !== 'ack') s.record('first-response', { actor, note: `with ${action}` });
  }
  const by = human ? { by: { person: actor.id, ...(actor.role ? { role: actor.role } : {}) } } : {};
  switch (action) {
    case 'ack':
      s.transition('acknowledged', actor, note);
      s.feedback(by);
      break;
    case 'dispatch': {
      inc.dispatchedAt ??= s.now;
      const rescue = e.rescue ?? 'worker';
      inc.rescue = rescue;
      s.transition('dispatched', actor, `${rescue}${note ? `: ${note}` : ''}`);
      s.feedback({ ...by, rescue });
      break;
    }
    case 'resolve':
    case 'false-alarm':
    case 'cancel': {
      const state = action === 'resolve' ? 'resolved' : action === 'cancel' ? 'cancelled' : 'false-alarm';
      s.transition(state, actor, note);
      s.feedback({ ...by, byHousehold: actor.kind === 'device' });
      s.closingNotice(state, actor.id);
      break;
    }
  }
  s.schedule();
  return s.done({ ok: true });
}

/**
 * A message of the SOS conversation: on the timeline, then the household's to everyone paged so
 * far, a responder's to the box. Only an open SOS incident with a box has a conversation.
 */
function message(s: Step, m: ConversationMessage): Decision {
  const inc = s.inc;
  if (isClosed(inc.state)) {
    return s.done(
      { ok: false, status: 409, error: `incident is ${inc.state}; its conversation is closed` },
      false,
    );
  }
  if (inc.source !== 'sos' || !inc.device) {
    return s.done(
      { ok: false, status: 409, error: 'only an SOS from a box has a conversation with its household' },
      false,
    );
  }
  const said = [m.canned ? CANNED_REPLY_TEXTS[m.canned].zh : undefined, m.text].filter(Boolean).join('：');
  s.record('message', {
    actor: m.actor,
    note: `${m.from === 'household' ? '住户' : m.actor.name}：${said}`,
    data: {
      id: m.id,
      from: m.from,
      via: m.via,
      ...(m.canned ? { canned: m.canned } : {}),
      ...(m.text !== undefined ? { text: m.text } : {}),
    },
  });
  if (m.from === 'household') {
    const people = s.paged();
    if (people.length > 0) s.effects.push({ type: 'forward', message: m, people });
  } else if (m.text !== undefined) {
    s.effects.push({ type: 'sos-msg', message: { ...m, text: m.text } });
  }
  return s.done({ ok: true });
}

function decline(s: Step, actor: Actor, note?: string): Decision {
  const inc = s.inc;
  if (inc.state !== 'open' && inc.state !== 'notified') {
    return s.done({ ok: false, status: 409, error: `incident is ${inc.state}; nothing to decline` }, false);
  }
  s.record('declined', { actor, level: inc.level, ...(note ? { note } : {}) });
  s.declined.push({ level: inc.level, person: actor.id });
  const paged = s.paged(inc.level);
  const declined = new Set(s.declined.filter((d) => d.level === inc.level).map((d) => d.person));
  if (paged.length > 0 && paged.every((p) => declined.has(p))) {
    inc.nextAction = 'escalate'; // everyone at this level said no: climb now
    s.escalation('declined');
  }
  return s.done({ ok: true });
}
