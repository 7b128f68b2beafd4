import type { Fix } from '@steppelink/protocols';
import type { Role } from '../registry/schema.ts';
import type { AlertInput } from './port.ts';
import { monotonicUlids } from '../ids.ts';
import { refusalContent } from './content.ts';
import { Escalator } from './escalator.ts';
import type { EngineDeps } from './router.ts';
import { type Actor, type Incident, isClosed, SYSTEM } from './store.ts';
import { type AckRefusal, ackRefusedTexts, durationTexts, type Rescue } from './texts.ts';

/** How long the event loop may rest between an SOS's first page and the transaction recording it. */
const YIELD_MS = 1;

/**
 * How long after an SOS incident closed (hub receive time) a resent copy of one of its presses
 * still folds into it instead of opening a new incident: a box that was offline flushes its
 * queue within seconds of reconnecting; 2 min covers a slow flush, and is short enough that a
 * herder pressing again for a new emergency is never silenced for long (see `latePressFolds`).
 */
export const LATE_PRESS_WINDOW_MS = 2 * 60_000;

/** What `latePressFolds` knows of the household's most recently closed SOS incident. */
export interface ClosedSos {
  id: string;
  /** hub time it closed */
  closedAt: number;
  /** device timestamps of the presses it counted: the first (`source_ts`) and the extremes of the rest */
  firstTs: number;
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
 *   new press; one stamped before the first is one the hub cannot place (the box's clock may
 *   have been corrected, or a second device stamps differently): both open a new incident.
 *   Paging for a stale press costs a phone call; folding a new emergency costs a life.
 *
 * (A resend with the same message id never gets here: `incident_messages` answers it with the
 * incident it was applied to, however long ago.)
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

export const ACTIONS = ['ack', 'decline', 'dispatch', 'resolve', 'false-alarm', 'cancel'] as const;
export type Action = (typeof ACTIONS)[number];

export type ActResult =
  | { ok: true; incident: Incident }
  | { ok: false; status: 404 | 409; error: string; incident?: Incident };

export interface RaiseResult {
  incidentId: string;
  created: boolean;
  /** Set when an SOS press folded into a closed incident (not paged): why, for the dead letter. */
  folded?: string;
}

export interface RaiseOptions {
  /** The MQTT message behind this raise: applied once, whatever happens after a crash. */
  msg?: { source: string; id: string };
  /** Hub time the message arrived; with `input.at` gives how late it is. */
  receivedAt?: number;
  sosId?: string;
  presses?: number;
  /** Who reported it (reports): never paged for their own report. */
  reporter?: string;
  /** Roles paged before the unit's own duty roles (a patrol tracker: its team's members). */
  firstRoles?: readonly Role[];
  chain?: Incident['chain'];
}

const ALLOWED: Record<Exclude<Action, 'decline'>, readonly string[]> = {
  ack: ['open', 'notified'],
  dispatch: ['open', 'notified', 'acknowledged', 'dispatched'],
  resolve: ['open', 'notified', 'acknowledged', 'dispatched'],
  'false-alarm': ['open', 'notified', 'acknowledged', 'dispatched'],
  cancel: ['open', 'notified', 'acknowledged', 'dispatched'],
};

/**
 * The incident engine: opens incidents (SOS, rules, reports), joins repeats, applies actions
 * (ack, dispatch, resolve, false alarm, cancel), runs due escalation steps and attaches
 * positions. Every method is one SQLite transaction; pages and sos-acks go to the outbox.
 */
export class IncidentEngine extends Escalator {
  private readonly ulid = monotonicUlids();
  private readonly openDevices = new Set<string>();
  /** incidents paged ahead whose transaction has not run yet */
  private readonly raising = new Set<Promise<unknown>>();
  private readonly st;

  constructor(deps: EngineDeps) {
    super(deps);
    const db = deps.db;
    this.st = {
      openDevices: db
        .prepare('SELECT DISTINCT device FROM incidents WHERE closed_at IS NULL AND device IS NOT NULL')
        .pluck(),
      deviceHasOpen: db
        .prepare('SELECT 1 FROM incidents WHERE device = ? AND closed_at IS NULL LIMIT 1')
        .pluck(),
      openOfDevice: db.prepare('SELECT id FROM incidents WHERE device = ? AND closed_at IS NULL').pluck(),
      lastClosed: db.prepare(
        'SELECT id, closed_at, source_ts FROM incidents WHERE key = ? AND closed_at IS NOT NULL ORDER BY closed_at DESC, opened_at DESC, id DESC LIMIT 1',
      ),
      pressSpan: db.prepare(
        `SELECT min(json_extract(data, '$.ts')) AS lo, max(json_extract(data, '$.ts')) AS hi FROM incident_events
         WHERE incident_id = ? AND type = 'pressed-again'`,
      ),
      due: db
        .prepare(
          'SELECT id FROM incidents WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at LIMIT 50',
        )
        .pluck(),
      retryLater: db.prepare('UPDATE incidents SET next_at = ? WHERE id = ?'),
      nextDue: db.prepare('SELECT min(next_at) FROM incidents WHERE next_at IS NOT NULL').pluck(),
      putPosition: db.prepare(
        'INSERT OR IGNORE INTO incident_positions (incident_id, t, lat, lon, acc) VALUES (?, ?, ?, ?, ?)',
      ),
      trimPositions: db.prepare(
        `DELETE FROM incident_positions WHERE incident_id = ? AND t < (SELECT t FROM incident_positions
         WHERE incident_id = ? ORDER BY t DESC LIMIT 1 OFFSET ?)`,
      ),
      positions: db.prepare('SELECT t, lat, lon FROM incident_positions WHERE incident_id = ? ORDER BY t'),
    };
    for (const d of this.st.openDevices.all() as string[]) this.openDevices.add(d);
  }

  /** Keeps the set of devices with an open incident (checked on every position message) current. */
  noteChanged(changed: readonly Incident[]): void {
    for (const inc of changed) {
      if (!inc.device) continue;
      if (inc.closedAt === null) this.openDevices.add(inc.device);
      else if (!this.st.deviceHasOpen.get(inc.device)) this.openDevices.delete(inc.device);
    }
  }

  /** The incident a message (e.g. an SOS raise) was applied to. */
  incidentForMessage(source: string, msgId: string): string | undefined {
    const r = this.t.seenMessage.get(source, msgId) as { incident_id: string | null } | undefined;
    return r?.incident_id ?? undefined;
  }
  openIncidentId(key: string): string | undefined {
    return (this.t.openByKey.get(key) as { id: string } | undefined)?.id;
  }
  wasPaged(incidentId: string, personId: string): boolean {
    return this.deps.outbox.paged(incidentId).includes(personId);
  }

  get(id: string): Incident | undefined {
    return this.t.get(id);
  }
  timeline(id: string) {
    return this.t.timeline(id);
  }

  /**
   * Like `raise`, but when this opens a new incident, the first level's worker alerts leave
   * before the transaction that records it: a rescue call should not wait for bookkeeping. The
   * event loop then gets a moment (the alert's packets are out, nothing else queued behind
   * them) before the transaction runs and records those pages as sent. If the transaction
   * fails, the page has gone out all the same and the SOS is dead-lettered with the error, as
   * before; a crash in between replays the SOS from the inbox, which pages again.
   */
  async raisePagingFirst(input: AlertInput, o: RaiseOptions = {}): Promise<RaiseResult> {
    const now = this.now;
    const seen = o.msg && this.t.seenMessage.get(o.msg.source, o.msg.id);
    const joins = seen || this.t.openByKey.get(input.key);
    const late = input.source === 'sos' && this.foldTarget(input, o, now);
    if (joins || late || !this.deps.sendAhead) return this.raise(input, o);
    const inc = this.newIncident(input, o, now, `inc-${this.ulid(now)}`);
    let sent: ReturnType<typeof this.pageAhead>;
    try {
      const step = this.firstStep(inc, now);
      if (step) sent = this.pageAhead(inc, step, now);
    } catch (err) {
      this.deps.log.error({ err, incidentId: inc.id }, 'paging ahead failed; the page goes after the commit');
    }
    if (!sent) return this.raise(input, o, { now, id: inc.id });
    const recorded = this.recordPagedAhead(input, o, { now, id: inc.id }, sent);
    this.raising.add(recorded);
    try {
      return await recorded;
    } finally {
      this.raising.delete(recorded);
    }
  }

  /**
   * Resolves when no incident paged ahead is still waiting for its transaction: an action on
   * an incident whose page just went out (a worker's ack, the API) waits for it to exist.
   */
  async settled(): Promise<void> {
    while (this.raising.size > 0) await Promise.allSettled([...this.raising]);
  }

  private async recordPagedAhead(
    input: AlertInput,
    o: RaiseOptions,
    pre: { now: number; id: string },
    sent: NonNullable<ReturnType<typeof this.pageAhead>>,
  ): Promise<RaiseResult> {
    await new Promise((resolve) => setTimeout(resolve, YIELD_MS));
    const keys = await sent;
    this.deps.outbox.sentAhead(keys);
    try {
      return this.raise(input, o, pre);
    } finally {
      this.deps.outbox.forgetAhead(keys.map(([k]) => k));
    }
  }

  /**
   * The household's last closed SOS incident, when this press belongs to it (see
   * `latePressFolds`); undefined when it opens a new one.
   */
  private foldTarget(input: AlertInput, o: RaiseOptions, now: number): ClosedSos | undefined {
    const r = this.st.lastClosed.get(input.key) as
      | { id: string; closed_at: number; source_ts: number }
      | undefined;
    if (!r) return undefined;
    const span = this.st.pressSpan.get(r.id) as { lo: number | null; hi: number | null };
    const closed: ClosedSos = {
      id: r.id,
      closedAt: r.closed_at,
      firstTs: r.source_ts,
      minTs: Math.min(r.source_ts, span.lo ?? r.source_ts),
      maxTs: Math.max(r.source_ts, span.hi ?? r.source_ts),
    };
    const window = this.deps.options.latePressWindowMs ?? LATE_PRESS_WINDOW_MS;
    return latePressFolds(closed, { ts: input.at, receivedAt: o.receivedAt ?? now }, window)
      ? closed
      : undefined;
  }

  /** Opens an incident, or joins the open one with the same key (counted, not paged anew). */
  raise(input: AlertInput, o: RaiseOptions = {}, pre?: { now: number; id: string }): RaiseResult {
    return this.tx(() => {
      const now = pre?.now ?? this.now;
      if (o.msg) {
        const seen = this.t.seenMessage.get(o.msg.source, o.msg.id) as
          | { incident_id: string | null }
          | undefined;
        if (seen) return { incidentId: seen.incident_id ?? '', created: false };
      }
      const remember = (id: string) => o.msg && this.t.rememberMessage.run(o.msg.source, o.msg.id, id, now);
      const open = this.t.openByKey.get(input.key) as Record<string, unknown> | undefined;
      if (open) {
        const inc = this.t.get(open.id as string)!;
        this.join(inc, input, o, now);
        remember(inc.id);
        return { incidentId: inc.id, created: false };
      }
      const closed = input.source === 'sos' ? this.foldTarget(input, o, now) : undefined;
      if (closed) {
        // A press of an emergency that is over, sent again: recorded on it, not paged; the box
        // hears again that it is closed (the sos-ack says to press again if help is still needed).
        const inc = this.t.get(closed.id)!;
        const received = o.receivedAt ?? now;
        const after = received - closed.closedAt;
        const reason =
          after < 0
            ? `press received while ${inc.id} was open, handled after it closed: folded into it, not paged`
            : `press received ${durationTexts(after).en} after ${inc.id} closed, stamped within its presses: folded into it, not paged`;
        this.t.record(inc, now, 'late-press', {
          note: reason,
          data: { msgId: o.msg?.id, ts: input.at, receivedAt: received, closedAt: closed.closedAt },
        });
        this.feedback(inc, now);
        this.save(inc, now);
        remember(inc.id);
        return { incidentId: inc.id, created: false, folded: reason };
      }
      const inc = this.create(input, o, now, pre?.id);
      remember(inc.id);
      return { incidentId: inc.id, created: true };
    });
  }

  private create(input: AlertInput, o: RaiseOptions, now: number, id?: string): Incident {
    const received = o.receivedAt ?? now;
    const inc = this.newIncident(input, o, now, id ?? `inc-${this.ulid(now)}`);
    this.save(inc, now, true);
    const reporter = o.reporter ? this.holder(o.reporter, inc) : undefined;
    this.t.record(inc, now, 'open', {
      ...(reporter && o.reporter ? { actor: { kind: 'person', id: o.reporter, ...reporter } } : {}),
      note: `${input.source} ${input.category} (${input.severity})`,
      data: { key: input.key, unit: input.unitId, chain: inc.chain },
    });
    if (inc.lateMs > this.deps.options.lateAfterMs) {
      this.t.record(inc, now, 'late', {
        note: `SOS 晚到 ${durationTexts(inc.lateMs).zh}（设备离线期间排队）`,
        data: { lateMs: inc.lateMs, sourceTs: input.at, receivedAt: received },
      });
    }
    this.feedback(inc, now);
    if (!this.route(inc, 0, now, 'first')) {
      this.t.record(inc, now, 'unrouted', {
        note: `nobody is on duty at any level; trying again every ${durationTexts(this.deps.options.rerouteEveryMs).en}`,
      });
    }
    this.schedule(inc, now);
    this.save(inc, now);
    return inc;
  }

  /** A new incident as `create` opens it (nothing written). */
  private newIncident(input: AlertInput, o: RaiseOptions, now: number, id: string): Incident {
    const received = o.receivedAt ?? now;
    return {
      id,
      key: input.key,
      source: input.source,
      category: input.category,
      severity: input.severity,
      state: 'open',
      unit: input.unitId,
      household: input.householdId ?? null,
      device: input.deviceId ?? null,
      reporter: o.reporter ?? null,
      sosId: o.sosId ?? null,
      presses: o.presses ?? 1,
      lastPressAt: now,
      sourceTs: input.at,
      openedAt: now,
      lateMs: Math.max(0, received - input.at),
      summary: input.summary,
      details: input.details ?? null,
      pos: input.pos ? { ...input.pos, t: input.at } : null,
      chain: o.chain ?? [],
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
    };
  }

  private join(inc: Incident, input: AlertInput, o: RaiseOptions, now: number): void {
    const sincePress = now - (inc.lastPressAt ?? inc.openedAt);
    inc.presses += o.presses ?? 1;
    inc.lastPressAt = now;
    if (input.pos && (!inc.pos || input.at >= inc.pos.t)) inc.pos = { ...input.pos, t: input.at };
    if (input.details) inc.details = { ...inc.details, ...input.details };
    if (input.source === 'sos') {
      this.t.record(inc, now, 'pressed-again', {
        note: `presses: ${inc.presses}`,
        data: { presses: inc.presses, ts: input.at }, // ts: the span `latePressFolds` reads
      });
      const waiting = inc.state === 'open' || inc.state === 'notified';
      if (waiting && inc.level >= 0 && sincePress > this.deps.options.repeatWindowMs) {
        inc.reminder += 1;
        this.remind(inc, now, (inc.levelAt ?? now) + this.ackTimeout(inc, inc.level), 'pressed again');
      }
    }
    this.save(inc, now);
  }

  /** Applies an action by a person (API, worker phone), the household device, or the hub. */
  act(
    id: string,
    action: Action,
    who: Actor,
    o: { note?: string; rescue?: Rescue; msg?: { source: string; id: string } } = {},
  ): ActResult {
    return this.tx((): ActResult => {
      const now = this.now;
      const inc = this.t.get(id);
      if (!inc) return { ok: false, status: 404, error: `no incident ${id}` };
      // A person acts in a role: the one they were paged in for this incident (see `holder`);
      // the timeline and the household's sos-ack name it.
      const by = who.kind === 'person' ? this.holder(who.id, inc, who.role) : undefined;
      const actor: Actor = by ? { ...who, role: by.role } : who;
      if (o.msg) {
        // An MQTT message (cancel, worker ack) is applied once, in the same transaction as its effect.
        if (this.t.seenMessage.get(o.msg.source, o.msg.id)) return { ok: true, incident: inc };
        this.t.rememberMessage.run(o.msg.source, o.msg.id, inc.id, now);
      }
      if (action === 'decline') return this.decline(inc, actor, now, o.note);
      if (!ALLOWED[action].includes(inc.state)) {
        return { ok: false, status: 409, error: `incident is ${inc.state}; cannot ${action}`, incident: inc };
      }
      const note = o.note;
      const human = actor.kind === 'person';
      if (human && inc.ackAt === null && action !== 'cancel') {
        inc.ackBy = actor.id;
        inc.ackAt = now;
        if (action !== 'ack') this.t.record(inc, now, 'first-response', { actor, note: `with ${action}` });
      }
      const feedback = by ? { by } : {};
      switch (action) {
        case 'ack':
          this.transition(inc, 'acknowledged', now, actor, note);
          this.feedback(inc, now, feedback);
          break;
        case 'dispatch':
          inc.dispatchedAt ??= now;
          inc.rescue = o.rescue ?? 'worker';
          this.transition(inc, 'dispatched', now, actor, `${inc.rescue}${note ? `: ${note}` : ''}`);
          this.feedback(inc, now, { ...feedback, rescue: inc.rescue as Rescue });
          break;
        case 'resolve':
        case 'false-alarm':
        case 'cancel': {
          const state = action === 'resolve' ? 'resolved' : action === 'cancel' ? 'cancelled' : 'false-alarm';
          this.transition(inc, state, now, actor, note);
          this.feedback(inc, now, { ...feedback, byHousehold: actor.kind === 'device' });
          this.closingNotice(inc, state, now, actor.id);
          break;
        }
      }
      this.schedule(inc, now);
      this.save(inc, now);
      return { ok: true, incident: inc };
    });
  }

  private decline(inc: Incident, actor: Actor, now: number, note?: string): ActResult {
    if (inc.state !== 'open' && inc.state !== 'notified') {
      return { ok: false, status: 409, error: `incident is ${inc.state}; nothing to decline`, incident: inc };
    }
    this.t.record(inc, now, 'declined', { actor, level: inc.level, ...(note ? { note } : {}) });
    const paged = this.deps.outbox.paged(inc.id, inc.level);
    const declined = new Set(
      this.t
        .timeline(inc.id)
        .filter((e) => e.type === 'declined' && e.level === inc.level)
        .map((e) => e.actor),
    );
    if (paged.length > 0 && paged.every((p) => declined.has(p))) {
      inc.nextAction = 'escalate'; // everyone at this level said no: climb now
      this.step(inc, now, 'declined');
    } else {
      this.save(inc, now);
    }
    return { ok: true, incident: inc };
  }

  /**
   * Tells a worker's phone that its ack (or decline) was not applied, and why; the caller then
   * throws, so ingest dead-letters the message as well. The reply is an `alert` on the worker's
   * own topic, shaped like a closing notice (asks nothing, `ackBy` now, severity low) and
   * carrying no household, position or summary of an incident they may not see.
   */
  refuseWorkerAck(personId: string, ack: { id: string; incidentId: string }, why: AckRefusal): void {
    this.tx(() => {
      const p = this.deps.registry.getPerson(personId);
      const inc = this.t.get(ack.incidentId);
      const unitId = inc?.unit ?? p?.roles[0]?.unit;
      if (!p || !unitId) return;
      const now = this.now;
      const content = refusalContent(this.deps.registry, {
        person: p,
        unitId,
        inc,
        ack,
        texts: ackRefusedTexts(why),
        now,
      });
      this.deps.outbox.notice(`ack-refused:${ack.id}:${personId}`, personId, content, now);
    });
  }

  /** The condition behind `key` ended: resolves its open rule incident, noted as auto-cleared. */
  clear(key: string, at: number, note?: string): void {
    this.tx(() => {
      const r = this.t.openByKey.get(key) as Record<string, unknown> | undefined;
      if (!r) return;
      const inc = this.t.get(r.id as string)!;
      if (inc.source === 'sos') return; // only the household or a person closes an SOS
      const now = this.now;
      this.transition(inc, 'resolved', now, SYSTEM, note ?? 'auto-cleared: the condition ended');
      inc.details = { ...inc.details, clearedAt: at };
      this.closingNotice(inc, 'resolved', now);
      this.schedule(inc, now);
      this.save(inc, now);
    });
  }

  /** Runs every escalation step due now. Returns the earliest future step (for the timer). */
  tick(): number | null {
    for (let i = 0; i < 100; i++) {
      const now = this.now;
      const due = this.st.due.all(now) as string[];
      if (due.length === 0) break;
      for (const id of due) {
        try {
          this.tx(() => {
            const inc = this.t.get(id);
            if (inc && inc.nextAt !== null && inc.nextAt <= now && !isClosed(inc.state)) this.step(inc, now);
          });
        } catch (e) {
          this.deps.log.error({ err: e, incidentId: id }, 'escalation step failed; retrying in a minute');
          this.st.retryLater.run(now + 60_000, id);
        }
      }
    }
    return this.nextDue();
  }

  nextDue(): number | null {
    return this.st.nextDue.get() as number | null;
  }

  /** Positions from a device with an open incident attach to it (the newest becomes its position). */
  attachPositions(deviceId: string, fixes: readonly Fix[]): void {
    if (!this.openDevices.has(deviceId) || fixes.length === 0) return;
    this.tx(() => {
      const ids = this.st.openOfDevice.all(deviceId) as string[];
      const newest = fixes.reduce((a, b) => (b.t > a.t ? b : a));
      for (const id of ids) {
        for (const f of fixes) this.st.putPosition.run(id, f.t, f.lat, f.lon, null);
        this.st.trimPositions.run(id, id, this.deps.options.maxPositionsPerIncident - 1);
        const inc = this.t.get(id)!;
        if (!inc.pos || newest.t >= inc.pos.t) {
          inc.pos = { lat: newest.lat, lon: newest.lon, t: newest.t };
          this.save(inc, this.now);
        }
      }
    });
  }

  positions(id: string): { t: number; lat: number; lon: number }[] {
    return this.st.positions.all(id) as { t: number; lat: number; lon: number }[];
  }
}
