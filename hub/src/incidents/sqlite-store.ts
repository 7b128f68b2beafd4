import type { Db } from '../state/db.ts';
import { type Row, SqliteRunner } from '../state/sqlite-run.ts';
import { commitSteps, deliveryInserts } from './commit-plan.ts';
import { factsOf, toIncident, toTimelineEvent } from './store.ts';
import {
  type Commit,
  type Committed,
  type DeliveryInsert,
  type IncidentStore,
  StoreConflict,
  type StoredIncident,
} from './store-port.ts';
import { incidentQueries, type Prepared, queryBuilder } from './store-sql.ts';

/**
 * The incident store on the hub's SQLite database. Queries come from store-sql.ts (Kysely,
 * compiled for SQLite) and run on the hub's one better-sqlite3 connection, prepared once per
 * statement text. Every call is synchronous underneath: a commit is one transaction with nothing
 * interleaved (inside an enclosing transaction it becomes a savepoint), and the async methods
 * only wrap the answer, so the port's callers work the same on PostgreSQL.
 */
export class SqliteIncidentStore implements IncidentStore {
  private readonly q = incidentQueries(queryBuilder('sqlite'));
  private readonly dueQueries = new Map<number, Prepared<'now'>>();
  private readonly sql: SqliteRunner;
  private readonly all: SqliteRunner['all'];
  private readonly one: SqliteRunner['one'];
  private readonly run: SqliteRunner['run'];

  constructor(private readonly db: Db) {
    this.sql = new SqliteRunner(db);
    this.all = (c) => this.sql.all(c);
    this.one = (c) => this.sql.one(c);
    this.run = (c) => this.sql.run(c);
  }

  private stored(r: Row | undefined): StoredIncident | undefined {
    if (!r) return undefined;
    const inc = toIncident(r);
    const facts = factsOf(
      inc,
      this.all(this.q.pages.bind({ id: inc.id })),
      this.all(this.q.factEvents.bind({ id: inc.id })),
    );
    const acks = Number(this.one(this.q.ackCount.bind({ id: inc.id }))?.n ?? 0);
    return { inc, facts, acks };
  }

  byIdNow(id: string): StoredIncident | undefined {
    return this.stored(this.one(this.q.byId.bind({ id })));
  }
  async byId(id: string): Promise<StoredIncident | undefined> {
    return this.byIdNow(id);
  }

  openByKeyNow(key: string): StoredIncident | undefined {
    return this.stored(this.one(this.q.openByKey.bind({ key })));
  }
  async forKey(key: string, orClosed: boolean): Promise<StoredIncident | undefined> {
    const open = this.one(this.q.openByKey.bind({ key }));
    if (open || !orClosed) return this.stored(open);
    return this.stored(this.one(this.q.lastClosedByKey.bind({ key })));
  }

  messageIncidentNow(source: string, msgId: string): string | null | undefined {
    const r = this.one(this.q.message.bind({ source, msgId }));
    return r ? ((r.incident_id as string | null) ?? null) : undefined;
  }
  async messageIncident(source: string, msgId: string): Promise<string | null | undefined> {
    return this.messageIncidentNow(source, msgId);
  }

  /** Writes outbox rows (those whose key is new); returns the ids of the rows inserted. */
  insertDeliveries(rows: readonly DeliveryInsert[], at: number): { id: number; key: string }[] {
    const out: { id: number; key: string }[] = [];
    for (const d of deliveryInserts(this.q, rows, at)) {
      const r = this.one(d.query);
      if (r) out.push({ id: Number(r.id), key: d.key });
    }
    return out;
  }

  /** The commit plan (commit-plan.ts, shared with the PostgreSQL adapter) in one transaction. */
  commitNow(c: Commit): Committed {
    return this.db.transaction((): Committed => {
      for (const step of commitSteps(this.q, c)) {
        if (this.run(step.query) === 0 && step.conflict) throw new StoreConflict(step.conflict);
      }
      return { deliveries: this.insertDeliveries(c.deliveries, c.at) };
    })();
  }
  async commit(c: Commit): Promise<Committed> {
    return this.commitNow(c);
  }

  async due(now: number, limit: number): Promise<string[]> {
    let q = this.dueQueries.get(limit);
    if (!q) {
      q = this.q.due(limit);
      this.dueQueries.set(limit, q);
    }
    return this.all(q.bind({ now })).map((r) => r.id as string);
  }

  nextDueNow(): number | null {
    return (this.one(this.q.nextDue.bind({}))?.at as number | null | undefined) ?? null;
  }
  async nextDue(): Promise<number | null> {
    return this.nextDueNow();
  }

  async retryAt(id: string, at: number): Promise<void> {
    this.run(this.q.retryAt.bind({ id, at }));
  }

  timelineNow(id: string) {
    return this.all(this.q.timeline.bind({ id })).map(toTimelineEvent);
  }
  async timeline(id: string) {
    return this.timelineNow(id);
  }

  pagedNow(id: string, level?: number): string[] {
    const out = new Set<string>();
    for (const r of this.all(this.q.alertPages.bind({ id }))) {
      if (level !== undefined && r.level !== level) continue;
      for (const p of JSON.parse(r.people as string) as string[]) out.add(p);
    }
    return [...out];
  }
  async paged(id: string, level?: number): Promise<string[]> {
    return this.pagedNow(id, level);
  }

  async openOfDevice(deviceId: string): Promise<string[]> {
    return this.all(this.q.openOfDevice.bind({ deviceId })).map((r) => r.id as string);
  }

  positionsNow(id: string): { t: number; lat: number; lon: number }[] {
    return this.all(this.q.positions.bind({ id })) as { t: number; lat: number; lon: number }[];
  }
  async positions(id: string): Promise<{ t: number; lat: number; lon: number }[]> {
    return this.positionsNow(id);
  }
}
