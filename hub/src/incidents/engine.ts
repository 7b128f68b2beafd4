import type { Fix, Severity } from '@steppelink/protocols';
import type { Clock } from '../clock.ts';
import { headRole } from '../duty/chain.ts';
import type { RosterStore } from '../duty/roster-store.ts';
import { monotonicUlids } from '../ids.ts';
import { KeyedQueue } from '../keyed-queue.ts';
import type { Logger } from '../log.ts';
import type { ChannelName, Outcome as SendOutcome } from '../notify/port.ts';
import type { Role } from '../registry/schema.ts';
import type { Registry } from '../registry/registry.ts';
import { pageContent, refusalContent, replyAlert, sosAckMessage, sosMsgMessage } from './content.ts';
import {
  type Action,
  type ConversationMessage,
  type CoreConfig,
  type Decision,
  decide,
  type Effect,
  type IncidentCore,
  type IncidentEvent,
  type World,
} from './decide.ts';
import type { EscalationPolicy } from './defaults.ts';
import { type DeliveryRow, freshRows, messageKey, type Outbox } from './outbox.ts';
import type { IncidentPolicy } from './policy.ts';
import type { AlertInput } from './port.ts';
import type { Unreached } from './reach.ts';
import { type Actor, type Incident, isClosed } from './store.ts';
import {
  type Commit,
  type DeliveryInsert,
  type IncidentStore,
  type PageInsert,
  StoreConflict,
  type StoredIncident,
  type TimelineLine,
} from './store-port.ts';
import { type AckRefusal, ackRefusedTexts, type Holder, type Rescue } from './texts.ts';

export { ACTIONS, type Action, LATE_PRESS_WINDOW_MS } from './decide.ts';

export interface EngineOptions extends CoreConfig {
  policy: Record<Severity, EscalationPolicy>;
  maxPositionsPerIncident: number;
}

/** Reads the API and the board make synchronously (SQLite today; see README, scale-out). */
export interface IncidentReads {
  byIdNow(id: string): { inc: Incident } | undefined;
  openByKeyNow(key: string): { inc: Incident } | undefined;
  timelineNow(id: string): ReturnType<IncidentStore['timeline']> extends Promise<infer T> ? T : never;
  positionsNow(id: string): { t: number; lat: number; lon: number }[];
}

export interface EngineDeps {
  store: IncidentStore;
  reads: IncidentReads;
  registry: Registry;
  roster: RosterStore;
  clock: Clock;
  log: Logger;
  outbox: Outbox;
  options: EngineOptions;
  /** Called after every commit with the incidents it changed, those it created, and the outbox rows to send. */
  onCommit(changed: Incident[], created: ReadonlySet<string>, fresh: readonly DeliveryRow[]): void;
  /** Sends an urgent row ahead of its commit (the deliverer's `sendAhead`); without it, pages go after the commit. */
  sendAhead?(channel: ChannelName, payload: unknown): Promise<SendOutcome>;
  /** Marks the deliveries row with this key read (the deliverer's `markRead`): a read receipt. */
  markRead?(key: string): number;
  /** The escalation policy a new incident at a unit gets now (policies as data); without it, `options.policy`. */
  policyFor?(unitId: string, severity: Severity): IncidentPolicy;
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
  /** A drill (issue #24): raised with `policy` (its short windows), marked, left out of statistics. */
  drill?: boolean;
  /** The policy for a new incident, instead of the unit's (a drill's). */
  policy?: IncidentPolicy;
}

/** How long the event loop may rest between a new incident's first page and the commit recording it. */
const YIELD_MS = 1;
/** A commit refused because another writer got there first is decided again this many times. */
const ATTEMPTS = 3;

/**
 * The effects runner around the decision core (decide.ts). Every event of an incident runs in
 * that incident's lane (a keyed queue by incident key): load the incident and its facts from the
 * store, ask who is on duty, `decide`, then commit the incident, its timeline lines, its page
 * steps and its outbox rows in one store transaction (a transactional outbox), and hand the new
 * rows to the deliverer. A commit refused for a stale version (another hub, a racing writer) is
 * decided again on fresh state. Urgent effects are ordered by the runner: a new incident's first
 * app alerts leave before its commit (`sendAhead`), and are written with their outcome.
 */
export class IncidentEngine {
  private readonly ulid = monotonicUlids();
  private readonly lanes = new KeyedQueue();
  /** devices with an open incident (positions attach to those) */
  private readonly openDevices = new Set<string>();
  /** new incidents whose first page went out ahead of their commit, by id */
  private readonly raising = new Map<string, Promise<void>>();

  constructor(private readonly deps: EngineDeps) {}

  /** The devices with an open incident at start (their positions attach to it). */
  trackOpen(devices: Iterable<string>): void {
    for (const d of devices) this.openDevices.add(d);
  }

  private get now(): number {
    return this.deps.clock.now();
  }

  // ---- reads ----

  get(id: string): Incident | undefined {
    return this.deps.reads.byIdNow(id)?.inc;
  }
  timeline(id: string) {
    return this.deps.reads.timelineNow(id);
  }
  positions(id: string): { t: number; lat: number; lon: number }[] {
    return this.deps.reads.positionsNow(id);
  }
  /** The incident a message (e.g. an SOS raise) was applied to. */
  async incidentForMessage(source: string, msgId: string): Promise<string | undefined> {
    return (await this.deps.store.messageIncident(source, msgId)) ?? undefined;
  }
  openIncidentId(key: string): string | undefined {
    return this.deps.reads.openByKeyNow(key)?.inc.id;
  }
  async wasPaged(incidentId: string, personId: string): Promise<boolean> {
    return (await this.deps.store.paged(incidentId)).includes(personId);
  }
  nextDue(): Promise<number | null> {
    return this.deps.store.nextDue();
  }

  /** Keeps the set of devices with an open incident (checked on every position message) current. */
  noteChanged(changed: readonly Incident[], stillOpen: (device: string) => boolean): void {
    for (const inc of changed) {
      if (!inc.device) continue;
      if (inc.closedAt === null) this.openDevices.add(inc.device);
      else if (!stillOpen(inc.device)) this.openDevices.delete(inc.device);
    }
  }

  /**
   * Resolves when every event queued so far has been committed (and no first page waits for its
   * commit): tests, shutdown.
   */
  async settled(): Promise<void> {
    while (this.raising.size > 0) await Promise.allSettled([...this.raising.values()]);
    await this.lanes.idle();
  }

  /** Resolves once a new incident whose first page went out ahead is committed (at once otherwise). */
  async committed(id: string): Promise<void> {
    await this.raising.get(id);
  }

  // ---- events ----

  /**
   * Opens an incident, or joins the open one with the same key (counted, not paged anew), or
   * folds a late resend of a closed SOS into it. When it opens one, its first level's app alerts
   * leave before the commit that records it: a rescue call should not wait for bookkeeping. The
   * event loop gets a moment (the alert's packets are out) before the commit records those rows
   * with their outcome. If the commit fails, the page has gone out all the same and the caller
   * dead-letters the SOS with the error; a crash in between replays it from the inbox, which
   * pages again.
   */
  raise(input: AlertInput, o: RaiseOptions = {}): Promise<RaiseResult> {
    return this.lanes.run(input.key, async () => {
      if (o.msg) {
        const seen = await this.deps.store.messageIncident(o.msg.source, o.msg.id);
        if (seen !== undefined) return { incidentId: seen ?? '', created: false };
      }
      const now = this.now;
      const newId = `inc-${this.ulid(now)}`;
      const decideNow = async () => {
        const current = await this.deps.store.forKey(input.key, input.source === 'sos');
        return { current, d: this.decide(current, this.raiseEvent(input, o, newId, now), now) };
      };
      let { current, d } = await decideNow();
      const ahead = this.ahead(d, now);
      if (ahead) {
        let written!: () => void;
        this.raising.set(newId, new Promise<void>((resolve) => (written = resolve)));
        try {
          await new Promise((resolve) => setTimeout(resolve, YIELD_MS));
          const keys = await ahead;
          for (let attempt = 1; ; attempt++) {
            this.deps.outbox.sentAhead(keys);
            try {
              await this.commit(current, d, now, o.msg);
              break;
            } catch (e) {
              if (!(e instanceof StoreConflict) || attempt >= ATTEMPTS) throw e;
              ({ current, d } = await decideNow());
            } finally {
              this.deps.outbox.forgetAhead(keys.map(([k]) => k));
            }
          }
        } finally {
          this.raising.delete(newId);
          written();
        }
      } else {
        d = await this.retrying(
          current,
          d,
          now,
          o.msg,
          async () => (await decideNow()).current,
          (c) => this.decide(c, this.raiseEvent(input, o, newId, now), now),
        );
      }
      const folded = d.outcome.ok ? d.outcome.folded : undefined;
      return {
        incidentId: d.state.inc.id,
        created: d.outcome.ok && d.outcome.created === true,
        ...(folded ? { folded } : {}),
      };
    });
  }

  /**
   * A copy of an SOS reached the hub over `path`: one `sos-path` timeline line per path and SOS
   * id, so an incident shows every way a press got through. An SOS that only ever came over MQTT
   * gets no line (its `open` says it); once a short message is involved every path is written:
   * `earlier` names the path of a copy that was applied before this one and not written yet.
   */
  async notePath(
    id: string,
    path: 'mqtt' | 'sms' | 'beidou',
    sosId: string,
    o: { from?: string; earlier?: 'mqtt' } = {},
  ): Promise<void> {
    await this.committed(id);
    const first = await this.deps.store.byId(id);
    if (!first) return;
    await this.lanes.run(first.inc.key, async () => {
      const lines = (await this.deps.store.timeline(id)).filter(
        (l) => l.type === 'sos-path' && l.data?.sosId === sosId,
      );
      if (lines.some((l) => l.data?.path === path)) return;
      if (path === 'mqtt' && lines.length === 0) return;
      const events: IncidentEvent[] = [];
      if (o.earlier && lines.length === 0) events.push({ type: 'arrived', path: o.earlier, sosId });
      events.push({ type: 'arrived', path, sosId, ...(o.from ? { from: o.from } : {}) });
      for (const event of events) {
        const now = this.now;
        const load = () => this.deps.store.byId(id);
        const current = (await load())!;
        await this.retrying(current, this.decide(current, event, now), now, undefined, load, (c) =>
          this.decide(c, event, now),
        );
      }
    });
  }

  /** Applies an action by a person (API, worker phone), the household device, or the hub. */
  async act(
    id: string,
    action: Action,
    who: Actor,
    o: { note?: string; rescue?: Rescue; msg?: { source: string; id: string } } = {},
  ): Promise<ActResult> {
    await this.committed(id); // an action on an incident whose page just went out waits for its commit
    const first = await this.deps.store.byId(id);
    if (!first) return { ok: false, status: 404, error: `no incident ${id}` };
    return this.lanes.run(first.inc.key, async (): Promise<ActResult> => {
      if (o.msg && (await this.deps.store.messageIncident(o.msg.source, o.msg.id)) !== undefined) {
        return { ok: true, incident: (await this.deps.store.byId(id))!.inc };
      }
      const event = (s: StoredIncident): IncidentEvent => {
        // A person acts in a role: the one they were paged in for this incident (see `holder`);
        // the timeline and the household's sos-ack name it.
        const by = who.kind === 'person' ? this.holder(who.id, s, who.role) : undefined;
        const actor: Actor = by ? { ...who, role: by.role } : who;
        return {
          type: 'act',
          action,
          actor,
          ...(o.note ? { note: o.note } : {}),
          ...(o.rescue ? { rescue: o.rescue } : {}),
        };
      };
      const now = this.now;
      const load = () => this.deps.store.byId(id);
      const current = (await load())!;
      const d = await this.retrying(
        current,
        this.decide(current, event(current), now),
        now,
        o.msg,
        load,
        (c) => this.decide(c, event(c as StoredIncident), now),
      );
      if (!d.outcome.ok) return { ...d.outcome, incident: d.state.inc };
      return { ok: true, incident: d.state.inc };
    });
  }

  /**
   * A message of the SOS conversation (issue #27): recorded on the timeline, the household's
   * forwarded to everyone paged, a responder's sent to the box; each copy a deliveries row.
   * Applied once per `msg` (a redelivered MQTT message, a retried HTTP post); refused (409) once
   * the incident is closed.
   */
  async message(id: string, m: ConversationMessage, msg: { source: string; id: string }): Promise<ActResult> {
    await this.committed(id);
    const first = await this.deps.store.byId(id);
    if (!first) return { ok: false, status: 404, error: `no incident ${id}` };
    return this.lanes.run(first.inc.key, async (): Promise<ActResult> => {
      if ((await this.deps.store.messageIncident(msg.source, msg.id)) !== undefined) {
        return { ok: true, incident: (await this.deps.store.byId(id))!.inc };
      }
      const event = (s: StoredIncident): IncidentEvent => {
        const by = m.actor.kind === 'person' ? this.holder(m.actor.id, s, m.actor.role) : undefined;
        return { type: 'message', message: by ? { ...m, actor: { ...m.actor, role: by.role } } : m };
      };
      const now = this.now;
      const load = () => this.deps.store.byId(id);
      const current = (await load())!;
      const d = await this.retrying(current, this.decide(current, event(current), now), now, msg, load, (c) =>
        this.decide(c, event(c as StoredIncident), now),
      );
      if (!d.outcome.ok) return { ...d.outcome, incident: d.state.inc };
      return { ok: true, incident: d.state.inc };
    });
  }

  /**
   * The reader showed or opened message `messageId` of the incident's conversation: its row for
   * them becomes `read` and the timeline says so, once per reader (`person` for a phone's copy,
   * none for the box's). False when the incident has no such message for that reader.
   */
  async read(
    id: string,
    messageId: string,
    reader: Actor,
    o: { person?: string; msg?: { source: string; id: string } } = {},
  ): Promise<boolean> {
    const first = await this.deps.store.byId(id);
    if (!first) return false;
    return this.lanes.run(first.inc.key, async () => {
      const lines = await this.deps.store.timeline(id);
      const said = lines.find((l) => l.type === 'message' && l.data?.id === messageId);
      const from = said?.data?.from === 'household' ? 'household' : 'responder';
      // the box reads responders' texts; a person reads the household's
      if (!said || from !== (o.person === undefined ? 'responder' : 'household')) return false;
      this.deps.markRead?.(messageKey(messageId, o.person));
      const seen = lines.some(
        (l) => l.type === 'message-read' && l.data?.messageId === messageId && l.actor === reader.id,
      );
      if (seen) return true;
      const event: IncidentEvent = { type: 'message-read', messageId, actor: reader, from };
      const now = this.now;
      const load = () => this.deps.store.byId(id);
      const current = (await load())!;
      await this.retrying(current, this.decide(current, event, now), now, o.msg, load, (c) =>
        this.decide(c, event, now),
      );
      return true;
    });
  }

  /** The condition behind `key` ended: resolves its open rule incident, noted as auto-cleared. */
  clear(key: string, at: number, note?: string): Promise<void> {
    return this.lanes.run(key, async () => {
      const load = () => this.deps.store.forKey(key, false);
      const current = await load();
      if (!current) return;
      const event: IncidentEvent = { type: 'clear', at, ...(note ? { note } : {}) };
      const now = this.now;
      await this.retrying(current, this.decide(current, event, now), now, undefined, load, (c) =>
        this.decide(c, event, now),
      );
    });
  }

  /**
   * No channel delivered the page of `level` to anybody there (see reach.ts): record who was
   * unreachable on which channel and climb now instead of waiting out the ack window. Once per
   * level; nothing happens when the incident has moved on (acknowledged, closed, another level).
   */
  async escalateUnreachable(
    incidentId: string,
    level: number,
    people: readonly Unreached[],
  ): Promise<boolean> {
    const first = await this.deps.store.byId(incidentId);
    if (!first || isClosed(first.inc.state)) return false;
    return this.lanes.run(first.inc.key, async () => {
      const load = () => this.deps.store.byId(incidentId);
      const current = await load();
      if (!current) return false;
      const event: IncidentEvent = { type: 'unreachable', level, people };
      const now = this.now;
      const d = await this.retrying(current, this.decide(current, event, now), now, undefined, load, (c) =>
        this.decide(c, event, now),
      );
      return d.changed;
    });
  }

  /** Runs every escalation step due now, each claimed by its commit. Returns the earliest future step. */
  async tick(): Promise<number | null> {
    for (let i = 0; i < 100; i++) {
      const now = this.now;
      const due = await this.deps.store.due(now, 50);
      if (due.length === 0) break;
      for (const id of due) {
        try {
          const first = await this.deps.store.byId(id);
          if (!first) continue;
          await this.lanes.run(first.inc.key, async () => {
            const load = () => this.deps.store.byId(id);
            const current = await load();
            if (!current) return;
            const event: IncidentEvent = { type: 'due' };
            await this.retrying(current, this.decide(current, event, now), now, undefined, load, (c) =>
              this.decide(c, event, now),
            );
          });
        } catch (e) {
          this.deps.log.error({ err: e, incidentId: id }, 'escalation step failed; retrying in a minute');
          await this.deps.store.retryAt(id, now + 60_000);
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
    const p = this.deps.registry.getPerson(personId);
    const inc = this.get(ack.incidentId);
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
    this.deps.outbox.begin();
    this.deps.outbox.notice(`ack-refused:${ack.id}:${personId}`, personId, content, now);
    this.deps.onCommit([], new Set(), this.deps.outbox.takeFresh());
  }

  /** Positions from a device with an open incident attach to it (the newest becomes its position). */
  attachPositions(deviceId: string, fixes: readonly Fix[]): Promise<void> | undefined {
    // Synchronously nothing for the usual device, one with no open incident: ingest awaits (with
    // a timer) only what returns a promise, and every position message passes here.
    if (!this.openDevices.has(deviceId) || fixes.length === 0) return undefined;
    return this.attach(deviceId, fixes);
  }

  private async attach(deviceId: string, fixes: readonly Fix[]): Promise<void> {
    const newest = fixes.reduce((a, b) => (b.t > a.t ? b : a));
    const positions = fixes.map((f) => ({ t: f.t, lat: f.lat, lon: f.lon }));
    for (const id of await this.deps.store.openOfDevice(deviceId)) {
      const first = await this.deps.store.byId(id);
      if (!first) continue;
      await this.lanes.run(first.inc.key, async () => {
        for (let attempt = 1; ; attempt++) {
          const s = await this.deps.store.byId(id);
          if (!s) return;
          const inc = { ...s.inc };
          if (!inc.pos || newest.t >= inc.pos.t) inc.pos = { lat: newest.lat, lon: newest.lon, t: newest.t };
          const now = this.now;
          inc.updatedAt = now;
          try {
            await this.deps.store.commit({
              at: now,
              incident: inc,
              insert: false,
              lines: [],
              pages: [],
              deliveries: [],
              messages: [],
              positions,
              keepPositions: this.deps.options.maxPositionsPerIncident,
            });
            this.deps.onCommit([{ ...inc, version: inc.version + 1 }], new Set(), []);
            return;
          } catch (e) {
            if (!(e instanceof StoreConflict) || attempt >= ATTEMPTS) throw e;
          }
        }
      });
    }
  }

  // ---- the runner ----

  private decide(current: IncidentCore | undefined, event: IncidentEvent, now: number): Decision {
    return decide(current, event, now, this.world(current, event, now), this.deps.options);
  }

  /** Commits a decision; when another writer got there first, loads again, decides again, and retries. */
  private async retrying(
    current: StoredIncident | undefined,
    d: Decision,
    now: number,
    msg: { source: string; id: string } | undefined,
    load: () => Promise<StoredIncident | undefined>,
    again: (c: StoredIncident | undefined) => Decision,
  ): Promise<Decision> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.commit(current, d, now, msg);
        return d;
      } catch (e) {
        if (!(e instanceof StoreConflict) || attempt >= ATTEMPTS) throw e;
        this.deps.log.warn(
          { incidentId: d.state.inc.id, attempt },
          'incident changed meanwhile; deciding again',
        );
        current = await load();
        d = again(current);
      }
    }
  }

  /**
   * The app alerts of a new incident's first page, sent now: resolves with the keys and
   * outcomes of those that went out (undefined when there is nothing to send ahead).
   */
  private ahead(d: Decision, now: number): Promise<[string, SendOutcome['status']][]> | undefined {
    const send = this.deps.sendAhead;
    if (!send || !(d.outcome.ok && d.outcome.created)) return undefined;
    const first = d.effects.find((e) => e.type === 'page' && e.first);
    if (first?.type !== 'page') return undefined;
    let rows: ReturnType<Outbox['pageRows']>;
    try {
      rows = this.deps.outbox
        .pageRows(d.state.inc, first.step, first.people, () => this.content(d.state.inc, first, now))
        .filter((r) => r.channel === 'mqtt');
    } catch (err) {
      this.deps.log.error(
        { err, incidentId: d.state.inc.id },
        'paging ahead failed; the page goes after the commit',
      );
      return undefined;
    }
    if (rows.length === 0) return undefined; // nobody paged has the app: nothing to send ahead
    return Promise.all(
      rows.map((r) =>
        send(r.channel, r.payload).then((x): [string, SendOutcome['status']] | null =>
          x.status === 'retry' ? null : [r.key, x.status],
        ),
      ),
    ).then((done) => done.filter((x) => x !== null));
  }

  /** Writes a decision (incident, timeline, page steps, outbox rows, message ids) in one store commit. */
  private async commit(
    current: StoredIncident | undefined,
    d: Decision,
    now: number,
    msg: { source: string; id: string } | undefined,
  ): Promise<void> {
    const inc: Incident = { ...d.state.inc };
    const created = d.outcome.ok && d.outcome.created === true;
    const messages = msg ? [msg] : [];
    if (!d.changed) {
      // Nothing decided, but a message is still applied once (e.g. an ack the incident refused).
      if (messages.length === 0 || !current) return;
    }
    const lines: TimelineLine[] = [];
    const pages: PageInsert[] = [];
    const deliveries: DeliveryInsert[] = [];
    let acks = created ? 0 : (current?.acks ?? 0);
    this.deps.outbox.begin();
    for (const e of d.effects) {
      if (e.type === 'record') {
        const { type: _t, ...line } = e;
        lines.push(line);
      } else if (e.type === 'page') {
        pages.push({ ...e.step, people: e.people });
        deliveries.push(
          ...this.deps.outbox.page(inc, e.step, e.people, () => this.content(inc, e, now), now),
        );
      } else if (e.type === 'forward') {
        const alert = replyAlert(this.deps.registry, inc, { message: e.message, now });
        deliveries.push(...this.deps.outbox.forward(inc, e.message.id, e.people, alert, now));
      } else if (e.type === 'sos-msg') {
        const by = this.holder(e.message.actor.id, d.state, e.message.actor.role) ?? {
          name: e.message.actor.name,
          role: e.message.actor.role ?? 'grid-worker',
        };
        if (inc.device) {
          const message = sosMsgMessage(inc, { id: e.message.id, text: e.message.text, by, now });
          deliveries.push(this.deps.outbox.sosMsg(inc, inc.device, message, now));
        }
      } else if (inc.device) {
        const by = e.by ? this.holder(e.by.person, d.state, e.by.role) : undefined;
        const message = sosAckMessage(inc, {
          n: ++acks,
          now,
          state: e.state,
          ...(by ? { by } : {}),
          ...(e.previous ? { previous: e.previous } : {}),
          ...(e.rescue ? { rescue: e.rescue } : {}),
          ...(e.byHousehold ? { byHousehold: true } : {}),
          ...(e.lateMs !== undefined ? { lateMs: e.lateMs } : {}),
        });
        deliveries.push(this.deps.outbox.sosAck(inc, inc.device, message, now));
      }
    }
    const base = d.changed ? inc : current!.inc;
    const c: Commit = { at: now, incident: base, insert: created, lines, pages, deliveries, messages };
    const done = await this.deps.store.commit(c);
    const saved = { ...base, version: created ? base.version : base.version + 1 };
    const fresh = freshRows(deliveries, done.deliveries);
    this.deps.onCommit(d.changed ? [saved] : [], created ? new Set([saved.id]) : new Set(), fresh);
  }

  private content(inc: Incident, e: Extract<Effect, { type: 'page' }>, now: number) {
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

  private raiseEvent(input: AlertInput, o: RaiseOptions, newId: string, now: number): IncidentEvent {
    const reporter = o.reporter ? this.reporterActor(o.reporter, input.unitId) : undefined;
    return {
      type: 'raise',
      input,
      newId,
      receivedAt: o.receivedAt ?? now,
      chain: o.chain ?? [],
      ...(o.presses !== undefined ? { presses: o.presses } : {}),
      ...(o.sosId !== undefined ? { sosId: o.sosId } : {}),
      ...(reporter ? { reporter } : {}),
      ...(o.msg ? { msgId: o.msg.id } : {}),
      ...this.policyOf(input, o),
      ...(o.drill ? { drill: true } : {}),
    };
  }

  /** The policy a new incident would get (only read when the raise opens one). */
  private policyOf(input: AlertInput, o: RaiseOptions): { policy?: IncidentPolicy } {
    const policy = o.policy ?? this.deps.policyFor?.(input.unitId, input.severity);
    return policy ? { policy } : {};
  }

  /** Who is on duty now at each level of the chain the event acts on, and names: looked up on first ask. */
  private world(current: IncidentCore | undefined, event: IncidentEvent, now: number): World {
    const opens = event.type === 'raise' && (!current || isClosed(current.inc.state));
    const chain = opens ? event.chain : (current?.inc.chain ?? []);
    const also = opens ? (event.input.alsoNotify ?? []) : (current?.inc.alsoNotify ?? []);
    const { roster, registry } = this.deps;
    const levels = new Map<number, { people: readonly string[]; reason?: string | undefined }>();
    let heads: string[] | undefined;
    return {
      duty(level) {
        let d = levels.get(level);
        if (!d) {
          const step = chain[level];
          d = step ? roster.onDuty(step.unit, step.role, now) : { people: [], reason: 'no such level' };
          levels.set(level, d);
        }
        return d;
      },
      alsoNotify() {
        if (!heads) {
          heads = [];
          for (const unitId of also) {
            const unit = registry.getUnit(unitId);
            if (unit) heads.push(...roster.onDuty(unitId, headRole(unit.level), now).people);
          }
        }
        return heads;
      },
      name: (id) => registry.getPerson(id)?.name ?? id,
    };
  }

  /**
   * The role a person holds for this incident: the role of the highest level they were paged at
   * for it (if they hold that role), else the first of their duty roles (not admin) at or above
   * its unit, else their first.
   */
  private holder(personId: string, s: IncidentCore, role?: string): Holder | undefined {
    const p = this.deps.registry.getPerson(personId);
    if (!p) return undefined;
    const inc = s.inc;
    const within = (x: { unit: string }) => this.deps.registry.isWithin(inc.unit, x.unit);
    const paged = [...s.facts.pages]
      .filter((pg) => pg.kind === 'alert' && pg.people.includes(p.id))
      .sort((a, b) => b.level - a.level)
      .map((pg) => inc.chain[pg.level]?.role)
      .find((r) => r !== undefined && p.roles.some((x) => x.role === r));
    const r =
      role ??
      paged ??
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
}
