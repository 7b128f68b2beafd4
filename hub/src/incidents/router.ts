import type { IncidentState, Severity, Texts } from '@steppelink/protocols';
import type { Clock } from '../clock.ts';
import { headRole } from '../duty/chain.ts';
import type { RosterStore } from '../duty/roster-store.ts';
import type { Logger } from '../log.ts';
import type { RegistryStore } from '../registry/store.ts';
import type { Db } from '../state/db.ts';
import { pageContent, sosAckMessage } from './content.ts';
import type { EscalationPolicy } from './defaults.ts';
import type { ChannelName, Outcome } from '../notify/port.ts';
import type { DeliveryRow, Outbox } from './outbox.ts';
import { type Actor, type Incident, IncidentTables, incidentParams, isClosed } from './store.ts';
import { type Holder, pagePrefix, prefixed, type Rescue, roleName } from './texts.ts';

export interface EngineOptions {
  policy: Record<Severity, EscalationPolicy>;
  repeatWindowMs: number;
  rerouteEveryMs: number;
  lateAfterMs: number;
  maxPositionsPerIncident: number;
  /** After an SOS incident closed, a resent press of it folds in for this long (default LATE_PRESS_WINDOW_MS in engine.ts). */
  latePressWindowMs?: number;
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
  sendAhead?(channel: ChannelName, payload: unknown): Promise<Outcome>;
}

/** The first level that has somebody on duty, and whom a first page there reaches. */
export interface FirstStep {
  level: number;
  role: string;
  people: string[];
  ackBy: number;
}

type RouteMode = 'first' | 'retry' | 'escalate' | 'reescalate';

/**
 * Routing and escalation: who gets paged at which level, and the one persisted timer per
 * incident (`next_at`/`next_action`) that says what happens next. Everything here runs inside a
 * transaction of the engine; side effects go to the outbox.
 */
export class Router {
  protected readonly t: IncidentTables;
  private readonly changed = new Map<string, Incident>();
  private readonly created = new Set<string>();

  constructor(protected readonly deps: EngineDeps) {
    this.t = new IncidentTables(deps.db);
  }

  protected get now(): number {
    return this.deps.clock.now();
  }

  /** Runs `fn` in one transaction; after the commit, reports the incidents it changed. */
  protected tx<T>(fn: () => T): T {
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

  protected save(inc: Incident, now: number, insert = false): void {
    inc.updatedAt = now;
    (insert ? this.t.insert : this.t.save).run(incidentParams(inc));
    this.changed.set(inc.id, inc);
    if (insert) this.created.add(inc.id);
  }

  protected policy(inc: Incident): EscalationPolicy {
    return this.deps.options.policy[inc.severity];
  }

  protected ackTimeout(inc: Incident, level: number): number {
    const list = this.policy(inc).ackTimeoutMs;
    return list[Math.min(level, list.length - 1)] ?? 180_000;
  }

  /**
   * The role a person holds for this incident: the role of the highest level they were paged at
   * for it, else the first of their duty roles (not admin) at or above its unit, else their first.
   */
  protected holder(personId: string, inc: Incident, role?: string): Holder | undefined {
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

  protected names(ids: readonly string[]): string {
    return ids.map((id) => this.deps.registry.getPerson(id)?.name ?? id).join('、');
  }

  /** Queues the household's sos-ack for the incident's current state. */
  protected feedback(
    inc: Incident,
    now: number,
    o: { by?: Holder; previous?: string; rescue?: Rescue; byHousehold?: boolean } = {},
  ): void {
    if (inc.source !== 'sos' || !inc.device) return;
    const late = inc.lateMs > this.deps.options.lateAfterMs ? { lateMs: inc.lateMs } : {};
    const msg = sosAckMessage(inc, {
      n: this.deps.outbox.nextAckNumber(inc.id),
      now,
      state: inc.state,
      ...late,
      ...o,
    });
    this.deps.outbox.sosAck(inc, inc.device, msg, now);
  }

  /**
   * Pages the first level from `from` up that has somebody on duty, recording each level
   * skipped and why. Returns false when no level from `from` up has anyone.
   */
  protected route(inc: Incident, from: number, now: number, mode: RouteMode, quiet = false): boolean {
    for (let level = from; level < inc.chain.length; level++) {
      const step = inc.chain[level]!;
      const { duty, people } = this.dutyAt(inc, level, now);
      if (people.length === 0) {
        const reason =
          duty.people.length > 0 ? 'only the reporter is on duty' : (duty.reason ?? 'nobody on duty');
        if (!quiet) {
          this.t.record(inc, now, 'skipped', {
            level,
            note: `${roleName(step.role).zh} ${step.unit}: ${reason}`,
            data: { unit: step.unit, role: step.role, reason },
          });
        }
        continue;
      }
      const extra = mode === 'first' ? this.alsoNotifyPeople(inc, now) : [];
      const previous = inc.level >= 0 ? inc.chain[inc.level]?.role : undefined;
      inc.level = level;
      inc.levelAt = now;
      inc.reminder = 0;
      inc.topReminders = 0;
      inc.nextAction = null; // the caller schedules the next step for the new level
      const ackBy =
        mode === 'reescalate'
          ? now + (this.policy(inc).dispatchTimeoutMs ?? this.ackTimeout(inc, level))
          : now + this.ackTimeout(inc, level);
      const all = [...new Set([...people, ...extra])];
      const texts = mode === 'reescalate' ? prefixed(pagePrefix('reescalated'), inc.summary) : inc.summary;
      this.pageStep(inc, level, 0, step.role, all, ackBy, texts, now);
      this.t.record(inc, now, 'paged', {
        level,
        note: `${roleName(step.role).zh} ${this.names(all)}`,
        data: { unit: step.unit, role: step.role, people: all, ackBy, mode },
      });
      if (mode !== 'reescalate' && inc.state === 'open') this.transition(inc, 'notified', now);
      if (mode !== 'reescalate' && inc.state === 'notified') {
        const by = this.holder(people[0]!, inc, step.role);
        this.feedback(inc, now, {
          ...(by ? { by } : {}),
          ...(mode === 'escalate' && previous ? { previous } : {}),
        });
      }
      return true;
    }
    return false;
  }

  /** Who is on duty at one level of the incident's chain (the reporter is never paged for their own report). */
  private dutyAt(inc: Incident, level: number, now: number) {
    const step = inc.chain[level]!;
    const duty = this.deps.roster.onDuty(step.unit, step.role, now);
    return { duty, people: duty.people.filter((p) => p !== inc.reporter) };
  }

  /** Where `route(inc, 0, now, 'first')` would page, without writing anything. */
  protected firstStep(inc: Incident, now: number): FirstStep | undefined {
    for (let level = 0; level < inc.chain.length; level++) {
      const { people } = this.dutyAt(inc, level, now);
      if (people.length === 0) continue;
      const all = [...new Set([...people, ...this.alsoNotifyPeople(inc, now)])];
      return { level, role: inc.chain[level]!.role, people: all, ackBy: now + this.ackTimeout(inc, level) };
    }
    return undefined;
  }

  /**
   * Sends the urgent rows (worker alerts) of a first page before the transaction that records
   * it; resolves with the keys and outcomes of those that went out, which the outbox then records. Undefined
   * when there is nothing to send ahead.
   */
  protected pageAhead(
    inc: Incident,
    step: FirstStep,
    now: number,
  ): Promise<[key: string, status: Outcome['status']][]> | undefined {
    const send = this.deps.sendAhead;
    if (!send) return undefined;
    const rows = this.deps.outbox
      .pageRows(inc, { level: step.level, reminder: 0, kind: 'alert', ackBy: step.ackBy }, step.people, () =>
        this.firstPageContent(inc, step, now),
      )
      .filter((r) => r.channel === 'mqtt');
    if (rows.length === 0) return undefined; // nobody paged has the app: nothing to send ahead
    return Promise.all(
      rows.map((r) =>
        send(r.channel, r.payload).then((o): [string, Outcome['status']] | null =>
          o.status === 'retry' ? null : [r.key, o.status],
        ),
      ),
    ).then((done) => done.filter((d) => d !== null));
  }

  private firstPageContent(inc: Incident, step: FirstStep, now: number) {
    return pageContent(this.deps.registry, inc, {
      kind: 'alert',
      level: step.level,
      reminder: 0,
      role: step.role,
      ackBy: step.ackBy,
      now,
      texts: inc.summary,
    });
  }

  private alsoNotifyPeople(inc: Incident, now: number): string[] {
    const out: string[] = [];
    for (const unitId of inc.alsoNotify) {
      const unit = this.deps.registry.getUnit(unitId);
      if (unit) out.push(...this.deps.roster.onDuty(unitId, headRole(unit.level), now).people);
    }
    return out;
  }

  protected pageStep(
    inc: Incident,
    level: number,
    reminder: number,
    role: string,
    people: readonly string[],
    ackBy: number,
    texts: Texts,
    now: number,
  ): boolean {
    return this.deps.outbox.page(
      inc,
      { level, reminder, kind: 'alert', ackBy },
      people,
      () => pageContent(this.deps.registry, inc, { kind: 'alert', level, reminder, role, ackBy, now, texts }),
      now,
    );
  }

  /** Tells everyone paged so far (but `except`) that the incident closed, and why. */
  protected closingNotice(inc: Incident, state: IncidentState, now: number, except?: string): void {
    const people = this.deps.outbox.paged(inc.id).filter((p) => p !== except);
    if (people.length === 0) return;
    const kind = state === 'cancelled' ? 'cancelled' : state === 'false-alarm' ? 'false-alarm' : 'resolved';
    const texts = prefixed(pagePrefix(kind), inc.summary);
    const level = Math.max(0, inc.level);
    this.deps.outbox.page(
      inc,
      { level: 0, reminder: 0, kind: 'closing', ackBy: null },
      people,
      () =>
        pageContent(this.deps.registry, inc, {
          kind: 'closing',
          level,
          reminder: 0,
          role: inc.chain[level]?.role ?? 'grid-worker',
          ackBy: now,
          now,
          texts,
          idSuffix: state,
        }),
      now,
    );
  }

  protected transition(inc: Incident, state: IncidentState, now: number, actor?: Actor, note?: string): void {
    inc.state = state;
    if (isClosed(state)) inc.closedAt = now;
    this.t.record(inc, now, state, {
      ...(actor ? { actor } : {}),
      ...(note ? { note } : {}),
      level: inc.level,
    });
  }
}
