import type { Statement } from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import type { Db } from '../state/db.ts';
import { factsOf, toIncident, toTimelineEvent } from './store.ts';
import {
  type Commit,
  type Committed,
  type DeliveryInsert,
  type IncidentStore,
  StoreConflict,
  type StoredIncident,
} from './store-port.ts';
import { incidentQueries, queryBuilder } from './store-sql.ts';

type Row = Record<string, unknown>;

/**
 * The incident store on the hub's SQLite database. Queries come from store-sql.ts (Kysely,
 * compiled for SQLite) and run on the hub's one better-sqlite3 connection, prepared once per
 * statement text. Every call is synchronous underneath: a commit is one transaction with nothing
 * interleaved (inside an enclosing transaction it becomes a savepoint), and the async methods
 * only wrap the answer, so the port's callers work the same on PostgreSQL.
 */
export class SqliteIncidentStore implements IncidentStore {
  private readonly q = incidentQueries(queryBuilder('sqlite'));
  private readonly prepared = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  private stmt(c: CompiledQuery): Statement {
    let s = this.prepared.get(c.sql);
    if (!s) {
      s = this.db.prepare(c.sql);
      this.prepared.set(c.sql, s);
    }
    return s;
  }
  private all(c: CompiledQuery): Row[] {
    return this.stmt(c).all(...c.parameters) as Row[];
  }
  private one(c: CompiledQuery): Row | undefined {
    return this.stmt(c).get(...c.parameters) as Row | undefined;
  }
  private run(c: CompiledQuery): number {
    return this.stmt(c).run(...c.parameters).changes;
  }

  private stored(r: Row | undefined): StoredIncident | undefined {
    if (!r) return undefined;
    const inc = toIncident(r);
    const facts = factsOf(inc, this.all(this.q.pages(inc.id)), this.all(this.q.factEvents(inc.id)));
    const acks = Number(this.one(this.q.ackCount(inc.id))?.n ?? 0);
    return { inc, facts, acks };
  }

  byIdNow(id: string): StoredIncident | undefined {
    return this.stored(this.one(this.q.byId(id)));
  }
  async byId(id: string): Promise<StoredIncident | undefined> {
    return this.byIdNow(id);
  }

  openByKeyNow(key: string): StoredIncident | undefined {
    return this.stored(this.one(this.q.openByKey(key)));
  }
  async forKey(key: string, orClosed: boolean): Promise<StoredIncident | undefined> {
    const open = this.one(this.q.openByKey(key));
    if (open || !orClosed) return this.stored(open);
    return this.stored(this.one(this.q.lastClosedByKey(key)));
  }

  messageIncidentNow(source: string, msgId: string): string | null | undefined {
    const r = this.one(this.q.message(source, msgId));
    return r ? ((r.incident_id as string | null) ?? null) : undefined;
  }
  async messageIncident(source: string, msgId: string): Promise<string | null | undefined> {
    return this.messageIncidentNow(source, msgId);
  }

  /** Writes outbox rows (those whose key is new); returns the ids of the rows inserted. */
  insertDeliveries(rows: readonly DeliveryInsert[], at: number): { id: number; key: string }[] {
    const out: { id: number; key: string }[] = [];
    for (const d of rows) {
      const r = this.one(this.q.delivery(d, at));
      if (r) out.push({ id: Number(r.id), key: d.key });
    }
    return out;
  }

  commitNow(c: Commit): Committed {
    return this.db.transaction((): Committed => {
      const inc = c.incident;
      if (c.insert) this.run(this.q.insertIncident(inc));
      else if (this.run(this.q.saveIncident(inc)) === 0) {
        throw new StoreConflict(`incident ${inc.id} changed since it was read (version ${inc.version})`);
      }
      for (const m of c.messages) {
        if (this.run(this.q.rememberMessage(m.source, m.id, inc.id, c.at)) === 0) {
          throw new StoreConflict(`message ${m.source}/${m.id} was applied already`);
        }
      }
      for (const p of c.pages) {
        if (this.run(this.q.page(inc.id, c.at, p)) === 0) {
          throw new StoreConflict(`page step ${inc.id} ${p.level}/${p.reminder}/${p.kind} was taken already`);
        }
      }
      for (const l of c.lines) this.run(this.q.line(inc.id, c.at, l));
      for (const p of c.positions ?? []) this.run(this.q.position(inc.id, p));
      if (c.positions?.length && c.keepPositions) this.run(this.q.trimPositions(inc.id, c.keepPositions));
      return { deliveries: this.insertDeliveries(c.deliveries, c.at) };
    })();
  }
  async commit(c: Commit): Promise<Committed> {
    return this.commitNow(c);
  }

  async due(now: number, limit: number): Promise<string[]> {
    return this.all(this.q.due(now, limit)).map((r) => r.id as string);
  }

  nextDueNow(): number | null {
    return (this.one(this.q.nextDue())?.at as number | null | undefined) ?? null;
  }
  async nextDue(): Promise<number | null> {
    return this.nextDueNow();
  }

  async retryAt(id: string, at: number): Promise<void> {
    this.run(this.q.retryAt(id, at));
  }

  timelineNow(id: string) {
    return this.all(this.q.timeline(id)).map(toTimelineEvent);
  }
  async timeline(id: string) {
    return this.timelineNow(id);
  }

  pagedNow(id: string, level?: number): string[] {
    const out = new Set<string>();
    for (const r of this.all(this.q.alertPages(id))) {
      if (level !== undefined && r.level !== level) continue;
      for (const p of JSON.parse(r.people as string) as string[]) out.add(p);
    }
    return [...out];
  }
  async paged(id: string, level?: number): Promise<string[]> {
    return this.pagedNow(id, level);
  }

  async openOfDevice(deviceId: string): Promise<string[]> {
    return this.all(this.q.openOfDevice(deviceId)).map((r) => r.id as string);
  }

  positionsNow(id: string): { t: number; lat: number; lon: number }[] {
    return this.all(this.q.positions(id)) as { t: number; lat: number; lon: number }[];
  }
  async positions(id: string): Promise<{ t: number; lat: number; lon: number }[]> {
    return this.positionsNow(id);
  }
}
