import type { Fix, Severity } from '@steppelink/protocols';
import type { Clock } from '../clock.ts';
import { headRole } from '../duty/chain.ts';
import type { RosterStore } from '../duty/roster-store.ts';
import { monotonicUlids } from '../ids.ts';
import type { Logger } from '../log.ts';
import type { ChannelName, Outcome as SendOutcome } from '../notify/port.ts';
import type { Role } from '../registry/schema.ts';
import type { RegistryStore } from '../registry/store.ts';
import type { Db } from '../state/db.ts';
import { pageContent, refusalContent, sosAckMessage } from './content.ts';
import {
  type Action,
  type CoreConfig,
  type Decision,
  decide,
  type Effect,
  type Facts,
  type IncidentCore,
  type IncidentEvent,
  type PageKind,
  type World,
} from './decide.ts';
import type { EscalationPolicy } from './defaults.ts';
import type { DeliveryRow, Outbox } from './outbox.ts';
import type { AlertInput } from './port.ts';
import type { Unreached } from './reach.ts';
import {
  type Actor,
  type Incident,
  IncidentTables,
  incidentParams as incidentRow,
  isClosed,
} from './store.ts';
import { type AckRefusal, ackRefusedTexts, type Holder, type Rescue } from './texts.ts';

export { ACTIONS, type Action, LATE_PRESS_WINDOW_MS } from './decide.ts';

export interface EngineOptions extends CoreConfig {
  policy: Record<Severity, EscalationPolicy>;
  maxPositionsPerIncident: number;
}

export interface EngineDeps {
  db: Db;
  registry: RegistryStore;
  roster: RosterStore;
  clock: Clock;
  log: Logger;
  outbox: Outbox;
  options: EngineOptions;
  /**
   * Called after every commit with the incidents it changed, the ids of those it created and
   * the deliveries rows it wrote (null for a transaction inside another one: its rows are
   * committed later, by the outer one, and the deliverer has to look for them).
   */
  onCommit(changed: Incident[], created: ReadonlySet<string>, fresh: readonly DeliveryRow[] | null): void;
  /** Sends a page row ahead of its transaction (the deliverer's `sendAhead`); without it, pages go after the commit. */
  sendAhead?(channel: ChannelName, payload: unknown): Promise<SendOutcome>;
}

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

/** How long the event loop may rest between an SOS's first page and the transaction recording it. */
const YIELD_MS = 1;

/** Another writer changed the incident between load and save (optimistic concurrency): the transaction is rolled back. */
export class IncidentConflict extends Error {}

/**
 * The effects runner around the decision core (decide.ts). For each event it loads the incident
 * and what the core needs to know (pages written, declines, who is on duty now), asks
 * `decide`, and writes the incident, its timeline lines and its outbox rows (pages, sos-acks) in
 * one transaction: a transactional outbox the deliverer drains after the commit. The incident's
 * row carries a version: a save that finds another writer's version rolls back (the timer is
 * claimed once). The one ordering exception is urgent by design: a new incident's first app
 * alerts may leave before the transaction (`raisePagingFirst`), decided by the same pure call.
 */
export class IncidentEngine {
  private readonly t: IncidentTables;
  private readonly ulid = monotonicUlids();
  private readonly openDevices = new Set<string>();
  /** incidents paged ahead whose transaction has not run yet */
  private readonly raising = new Set<Promise<unknown>>();
  private readonly changed = new Map<string, Incident>();
  private readonly created = new Set<string>();
  private readonly st;

  constructor(private readonly deps: EngineDeps) {
    const db = deps.db;
    this.t = new IncidentTables(db);
    this.st = {
      openDevices: db
        .prepare('SELECT DISTINCT device FROM incidents WHERE closed_at IS NULL AND device IS NOT NULL')
        .pluck(),
      deviceHasOpen: db
        .prepare('SELECT 1 FROM incidents WHERE device = ? AND closed_at IS NULL LIMIT 1')
        .pluck(),
      openOfDevice: db.prepare('SELECT id FROM incidents WHERE device = ? AND closed_at IS NULL').pluck(),
      lastClosed: db.prepare(
        'SELECT * FROM incidents WHERE key = ? AND closed_at IS NOT NULL ORDER BY closed_at DESC, opened_at DESC, id DESC LIMIT 1',
      ),
      pages: db.prepare(
        'SELECT level, reminder, kind, people FROM pages WHERE incident_id = ? ORDER BY at, level, reminder',
      ),
      facts: db.prepare(
        `SELECT type, level, actor, json_extract(data, '$.ts') AS ts FROM incident_events
         WHERE incident_id = ? AND type IN ('declined', 'unreachable', 'pressed-again') ORDER BY id`,
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

  private get now(): number {
    return this.deps.clock.now();
  }

  // ---- reads ----

  get(id: string): Incident | undefined {
    return this.t.get(id);
  }
  timeline(id: string) {
    return this.t.timeline(id);
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
  nextDue(): number | null {
    return this.st.nextDue.get() as number | null;
  }
  positions(id: string): { t: number; lat: number; lon: number }[] {
    return this.st.positions.all(id) as { t: number; lat: number; lon: number }[];
  }

  /** Keeps the set of devices with an open incident (checked on every position message) current. */
  noteChanged(changed: readonly Incident[]): void {
    for (const inc of changed) {
      if (!inc.device) continue;
      if (inc.closedAt === null) this.openDevices.add(inc.device);
      else if (!this.st.deviceHasOpen.get(inc.device)) this.openDevices.delete(inc.device);
    }
  }

  // ---- events ----

  /**
   * Like `raise`, but when this opens a new incident, the first level's worker alerts leave
   * before the transaction that records it: a rescue call should not wait for bookkeeping. The
   * core decides the page (pure, nothing written); the event loop then gets a moment (the
   * alert's packets are out) before the transaction decides again with the same id and time and
   * records those rows with their outcome. If the transaction fails, the page has gone out all
   * the same and the SOS is dead-lettered with the error; a crash in between replays the SOS
   * from the inbox, which pages again.
   */
  async raisePagingFirst(input: AlertInput, o: RaiseOptions = {}): Promise<RaiseResult> {
    const send = this.deps.sendAhead;
    if (!send || (o.msg && this.t.seenMessage.get(o.msg.source, o.msg.id))) return this.raise(input, o);
    const now = this.now;
    const pre = { now, id: `inc-${this.ulid(now)}` };
    let rows: ReturnType<IncidentEngine['firstRows']> = [];
    try {
      rows = this.firstRows(input, o, pre);
    } catch (err) {
      this.deps.log.error({ err, key: input.key }, 'paging ahead failed; the page goes after the commit');
    }
    if (rows.length === 0) return this.raise(input, o, pre);
    const sent = Promise.all(
      rows.map((r) =>
        send(r.channel, r.payload).then((x): [string, SendOutcome['status']] | null =>
          x.status === 'retry' ? null : [r.key, x.status],
        ),
      ),
    ).then((done) => done.filter((d) => d !== null));
    const recorded = (async () => {
      await new Promise((resolve) => setTimeout(resolve, YIELD_MS));
      const keys = await sent;
      this.deps.outbox.sentAhead(keys);
      try {
        return this.raise(input, o, pre);
      } finally {
        this.deps.outbox.forgetAhead(keys.map(([k]) => k));
      }
    })();
    this.raising.add(recorded);
    try {
      return await recorded;
    } finally {
      this.raising.delete(recorded);
    }
  }

  /** The app alerts of the first page a raise would send, when it opens a new incident (nothing written). */
  private firstRows(input: AlertInput, o: RaiseOptions, pre: { now: number; id: string }) {
    const { current, event } = this.raiseEvent(input, o, pre);
    if (current && !isClosed(current.inc.state)) return [];
    const d = decide(current, event, pre.now, this.world(current, event, pre.now), this.deps.options);
    if (d.outcome.ok !== true || !d.outcome.created) return [];
    const first = d.effects.find((e) => e.type === 'page' && e.first);
    if (first?.type !== 'page') return [];
    return this.deps.outbox
      .pageRows(d.state.inc, first.step, first.people, (to) => this.content(d.state.inc, first, pre.now, to))
      .filter((r) => r.channel === 'mqtt');
  }

  /**
   * Resolves when no incident paged ahead is still waiting for its transaction: an action on
   * an incident whose page just went out (a worker's ack, the API) waits for it to exist.
   */
  async settled(): Promise<void> {
    while (this.raising.size > 0) await Promise.allSettled([...this.raising]);
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
      const { current, event } = this.raiseEvent(input, o, pre ?? { now, id: `inc-${this.ulid(now)}` });
      const d = this.run(current, event, now);
      const id = d.state.inc.id;
      if (o.msg) this.t.rememberMessage.run(o.msg.source, o.msg.id, id, now);
      const created = d.outcome.ok && d.outcome.created === true;
      const folded = d.outcome.ok ? d.outcome.folded : undefined;
      return { incidentId: id, created, ...(folded ? { folded } : {}) };
    });
  }

  /** The incident a raise is about (the key's open one, else its last closed SOS) and the event. */
  private raiseEvent(input: AlertInput, o: RaiseOptions, pre: { now: number; id: string }) {
    const open = this.t.openByKey.get(input.key) as Record<string, unknown> | undefined;
    const closed =
      !open && input.source === 'sos'
        ? (this.st.lastClosed.get(input.key) as Record<string, unknown> | undefined)
        : undefined;
    const row = open ?? closed;
    const current = row ? this.load(this.t.get(row.id as string)!) : undefined;
    const reporter = o.reporter ? this.reporterActor(o.reporter, input.unitId) : undefined;
    const event: IncidentEvent = {
      type: 'raise',
      input,
      newId: pre.id,
      receivedAt: o.receivedAt ?? pre.now,
      chain: o.chain ?? [],
      ...(o.presses !== undefined ? { presses: o.presses } : {}),
      ...(o.sosId !== undefined ? { sosId: o.sosId } : {}),
      ...(reporter ? { reporter } : {}),
      ...(o.msg ? { msgId: o.msg.id } : {}),
    };
    return { current, event };
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
      const d = this.run(
        this.load(inc),
        {
          type: 'act',
          action,
          actor,
          ...(o.note ? { note: o.note } : {}),
          ...(o.rescue ? { rescue: o.rescue } : {}),
        },
        now,
      );
      if (!d.outcome.ok) return { ...d.outcome, incident: d.state.inc };
      return { ok: true, incident: d.state.inc };
    });
  }

  /** The condition behind `key` ended: resolves its open rule incident, noted as auto-cleared. */
  clear(key: string, at: number, note?: string): void {
    this.tx(() => {
      const r = this.t.openByKey.get(key) as Record<string, unknown> | undefined;
      if (!r) return;
      this.run(
        this.load(this.t.get(r.id as string)!),
        { type: 'clear', at, ...(note ? { note } : {}) },
        this.now,
      );
    });
  }

  /**
   * No channel delivered the page of `level` to anybody there (see reach.ts): record who was
   * unreachable on which channel and climb now instead of waiting out the ack window. Once per
   * level; nothing happens when the incident has moved on (acknowledged, closed, another level).
   */
  escalateUnreachable(incidentId: string, level: number, people: readonly Unreached[]): boolean {
    return this.tx(() => {
      const inc = this.t.get(incidentId);
      if (!inc || isClosed(inc.state)) return false;
      return this.run(this.load(inc), { type: 'unreachable', level, people }, this.now).changed;
    });
  }

  /** Runs every escalation step due now (each claimed by its transaction). Returns the earliest future step. */
  tick(): number | null {
    for (let i = 0; i < 100; i++) {
      const now = this.now;
      const due = this.st.due.all(now) as string[];
      if (due.length === 0) break;
      for (const id of due) {
        try {
          this.tx(() => {
            const inc = this.t.get(id);
            if (inc) this.run(this.load(inc), { type: 'due' }, now);
          });
        } catch (e) {
          this.deps.log.error({ err: e, incidentId: id }, 'escalation step failed; retrying in a minute');
          this.st.retryLater.run(now + 60_000, id);
        }
      }
    }
    return this.nextDue();
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
          this.save(inc, this.now, false);
        }
      }
    });
  }

  // ---- the runner ----

  /** Decides an event and writes the decision (incident, timeline, outbox rows) in the current transaction. */
  private run(current: IncidentCore | undefined, event: IncidentEvent, now: number): Decision {
    const d = decide(current, event, now, this.world(current, event, now), this.deps.options);
    if (!d.changed) return d;
    const created = event.type === 'raise' && d.outcome.ok && d.outcome.created === true;
    const inc = d.state.inc;
    this.save(inc, now, created);
    for (const e of d.effects) this.apply(inc, e, now);
    return d;
  }

  private apply(inc: Incident, e: Effect, now: number): void {
    switch (e.type) {
      case 'record':
        this.t.record(inc.id, now, e);
        return;
      case 'page':
        this.deps.outbox.page(inc, e.step, e.people, (to) => this.content(inc, e, now, to), now);
        return;
      case 'sos-ack': {
        if (!inc.device) return;
        const by = e.by ? this.holder(e.by.person, inc, e.by.role) : undefined;
        const msg = sosAckMessage(inc, {
          n: this.deps.outbox.nextAckNumber(inc.id),
          now,
          state: e.state,
          ...(by ? { by } : {}),
          ...(e.previous ? { previous: e.previous } : {}),
          ...(e.rescue ? { rescue: e.rescue } : {}),
          ...(e.byHousehold ? { byHousehold: true } : {}),
          ...(e.lateMs !== undefined ? { lateMs: e.lateMs } : {}),
        });
        this.deps.outbox.sosAck(inc, inc.device, msg, now);
        return;
      }
    }
  }

  private content(inc: Incident, e: Extract<Effect, { type: 'page' }>, now: number, _to: unknown) {
    return pageContent(this.deps.registry, inc, {
      kind: e.step.kind,
      level: e.content.level,
      reminder: e.step.reminder,
      role: e.content.role,
      ackBy: e.content.ackBy,
      now,
      texts: e.content.texts,
      ...(e.content.idSuffix ? { idSuffix: e.content.idSuffix } : {}),
    });
  }

  /** The incident as the core sees it: its row, the pages written, declines, unreachable levels, press span. */
  private load(inc: Incident): IncidentCore {
    const pages = (
      this.st.pages.all(inc.id) as { level: number; reminder: number; kind: PageKind; people: string }[]
    ).map((p) => ({
      level: p.level,
      reminder: p.reminder,
      kind: p.kind,
      people: JSON.parse(p.people) as string[],
    }));
    const facts: Facts & { declined: { level: number; person: string }[]; unreachable: number[] } = {
      pages,
      declined: [],
      unreachable: [],
      pressSpan: { minTs: inc.sourceTs, maxTs: inc.sourceTs },
    };
    for (const r of this.st.facts.all(inc.id) as {
      type: string;
      level: number | null;
      actor: string | null;
      ts: number | null;
    }[]) {
      if (r.type === 'declined' && r.actor !== null)
        facts.declined.push({ level: r.level ?? -1, person: r.actor });
      else if (r.type === 'unreachable' && r.level !== null) facts.unreachable.push(r.level);
      else if (r.type === 'pressed-again' && r.ts !== null) {
        facts.pressSpan.minTs = Math.min(facts.pressSpan.minTs, r.ts);
        facts.pressSpan.maxTs = Math.max(facts.pressSpan.maxTs, r.ts);
      }
    }
    return { inc, facts };
  }

  /** Who is on duty now at each level of the chain the event acts on, and the names the timeline uses. */
  private world(current: IncidentCore | undefined, event: IncidentEvent, now: number): World {
    const opens = event.type === 'raise' && (!current || isClosed(current.inc.state));
    const chain = opens ? event.chain : (current?.inc.chain ?? []);
    const alsoNotify = opens ? (event.input.alsoNotify ?? []) : (current?.inc.alsoNotify ?? []);
    const roster = this.deps.roster;
    const levels = chain.map((step) => {
      const duty = roster.onDuty(step.unit, step.role, now);
      return { people: duty.people, reason: duty.reason };
    });
    const heads: string[] = [];
    for (const unitId of alsoNotify) {
      const unit = this.deps.registry.getUnit(unitId);
      if (unit) heads.push(...roster.onDuty(unitId, headRole(unit.level), now).people);
    }
    const names: Record<string, string> = {};
    const name = (id: string) => {
      if (!(id in names)) names[id] = this.deps.registry.getPerson(id)?.name ?? id;
    };
    for (const l of levels) l.people.forEach(name);
    heads.forEach(name);
    for (const p of current?.facts.pages ?? []) p.people.forEach(name);
    if (current?.inc.ackBy) name(current.inc.ackBy);
    if (event.type === 'unreachable') for (const u of event.people) name(u.person);
    return { levels, alsoNotify: heads, names };
  }

  /**
   * The role a person holds for this incident: the role of the highest level they were paged at
   * for it, else the first of their duty roles (not admin) at or above its unit, else their first.
   */
  private holder(personId: string, inc: Incident, role?: string): Holder | undefined {
    const p = this.deps.registry.getPerson(personId);
    if (!p) return undefined;
    const within = (x: { unit: string }) => this.deps.registry.isWithin(inc.unit, x.unit);
    const r =
      role ??
      this.t.pagedRole(inc, p.id, p.roles) ??
      p.roles.find((x) => x.role !== 'admin' && within(x))?.role ??
      p.roles.find(within)?.role ??
      p.roles[0]?.role;
    return { name: p.name, role: r ?? 'grid-worker', phone: p.phone };
  }

  /** A reporter as the timeline names them (their duty role at or above the unit). */
  private reporterActor(personId: string, unitId: string): Actor | undefined {
    const p = this.deps.registry.getPerson(personId);
    if (!p) return undefined;
    const within = (x: { unit: string }) => this.deps.registry.isWithin(unitId, x.unit);
    const role =
      p.roles.find((x) => x.role !== 'admin' && within(x))?.role ??
      p.roles.find(within)?.role ??
      p.roles[0]?.role ??
      'grid-worker';
    return { kind: 'person', id: p.id, name: p.name, role };
  }

  /** Writes the incident, checking nobody else wrote it since it was read (its version). */
  private save(inc: Incident, now: number, insert: boolean): void {
    inc.updatedAt = now;
    if (insert) this.t.insert.run(incidentRow(inc));
    else if (this.t.save.run(incidentRow(inc)).changes === 0) {
      throw new IncidentConflict(
        `incident ${inc.id} changed under this transaction (version ${inc.version})`,
      );
    }
    inc.version += 1;
    this.changed.set(inc.id, inc);
    if (insert) this.created.add(inc.id);
  }

  /** Runs `fn` in one transaction; after the commit, reports the incidents it changed. */
  private tx<T>(fn: () => T): T {
    let result: T;
    const outer = !this.deps.db.inTransaction;
    if (outer) this.deps.outbox.takeFresh(); // rows of others' transactions: the pump sends those
    try {
      result = this.deps.db.transaction(fn)();
    } catch (e) {
      this.changed.clear();
      this.created.clear();
      if (outer) this.deps.outbox.takeFresh();
      throw e;
    }
    const changed = [...this.changed.values()];
    const created = new Set(this.created);
    this.changed.clear();
    this.created.clear();
    // Only a committed outermost transaction may hand its rows straight to the deliverer; an
    // inner one's rows are not committed yet (null: the deliverer looks for them itself).
    const fresh = outer ? this.deps.outbox.takeFresh() : null;
    if (changed.length > 0 || (fresh?.length ?? 0) > 0) this.deps.onCommit(changed, created, fresh);
    return result;
  }
}
