import { type PgDb, PgRunner, pgCode, type Row } from '../state/pg-db.ts';
import { commitSteps, deliveryInserts } from './commit-plan.ts';
import { factsOf, toIncident, toTimelineEvent } from './store.ts';
import {
  type Commit,
  type Committed,
  type IncidentStore,
  StoreConflict,
  type StoredIncident,
} from './store-port.ts';
import { incidentQueries, type Prepared, queryBuilder } from './store-sql.ts';

/**
 * SQLSTATEs that mean "another writer got there first; read again and decide again", like a
 * version that moved: unique_violation (two hubs inserting the open incident of one key, or one
 * id), deadlock_detected and serialization_failure (the server rolled this transaction back).
 */
const CONFLICTS: Record<string, string> = {
  '23505': 'another writer inserted it first',
  '40P01': 'deadlock with another writer; rolled back',
  '40001': 'serialization failure; rolled back',
};

/**
 * The incident store on PostgreSQL (issue #26): the same queries as the SQLite adapter (store-sql.ts,
 * compiled for PostgreSQL) and the same commit plan (commit-plan.ts), run through Kysely's
 * PostgresDialect on a node-postgres pool (state/pg-db.ts); tables from pg-migrations.ts.
 *
 * A commit is one READ COMMITTED transaction on one pooled connection. Several hubs may commit
 * the same incident at once: the compare-and-set UPDATE on `version` takes the row lock, so a second
 * writer waits, re-checks the version once the first commits, changes no row and gets
 * StoreConflict; page steps and applied messages are `ON CONFLICT DO NOTHING` inserts on their
 * primary keys, so the loser of a race changes nothing there either. That is how a due timer step
 * is claimed exactly once among hubs: `due()` only lists candidates; the step is the commit.
 */
export class PgIncidentStore implements IncidentStore {
  private readonly q = incidentQueries(queryBuilder('postgres'));
  private readonly dueQueries = new Map<number, Prepared<'now'>>();
  private readonly sql: PgRunner;

  constructor(db: PgDb) {
    this.sql = new PgRunner(db);
  }

  private async stored(r: Row | undefined): Promise<StoredIncident | undefined> {
    if (!r) return undefined;
    const inc = toIncident(r);
    const [pages, events, acks] = await Promise.all([
      this.sql.all(this.q.pages.bind({ id: inc.id })),
      this.sql.all(this.q.factEvents.bind({ id: inc.id })),
      this.sql.one(this.q.ackCount.bind({ id: inc.id })),
    ]);
    return { inc, facts: factsOf(inc, pages, events), acks: Number(acks?.n ?? 0) };
  }

  async byId(id: string): Promise<StoredIncident | undefined> {
    return this.stored(await this.sql.one(this.q.byId.bind({ id })));
  }

  async forKey(key: string, orClosed: boolean): Promise<StoredIncident | undefined> {
    const open = await this.sql.one(this.q.openByKey.bind({ key }));
    if (open || !orClosed) return this.stored(open);
    return this.stored(await this.sql.one(this.q.lastClosedByKey.bind({ key })));
  }

  async messageIncident(source: string, msgId: string): Promise<string | null | undefined> {
    const r = await this.sql.one(this.q.message.bind({ source, msgId }));
    return r ? ((r.incident_id as string | null) ?? null) : undefined;
  }

  async commit(c: Commit): Promise<Committed> {
    try {
      return await this.sql.transaction(async (tx) => {
        for (const step of commitSteps(this.q, c)) {
          if ((await tx.run(step.query)) === 0 && step.conflict) throw new StoreConflict(step.conflict);
        }
        const deliveries: Committed['deliveries'] = [];
        for (const d of deliveryInserts(this.q, c.deliveries, c.at)) {
          const r = await tx.one(d.query);
          if (r) deliveries.push({ id: Number(r.id), key: d.key });
        }
        return { deliveries };
      });
    } catch (err) {
      const why = CONFLICTS[pgCode(err) ?? ''];
      if (why) throw new StoreConflict(`incident ${c.incident.id}: ${why} (${(err as Error).message})`);
      throw err;
    }
  }

  async due(now: number, limit: number): Promise<string[]> {
    let q = this.dueQueries.get(limit);
    if (!q) {
      q = this.q.due(limit);
      this.dueQueries.set(limit, q);
    }
    return (await this.sql.all(q.bind({ now }))).map((r) => r.id as string);
  }

  async nextDue(): Promise<number | null> {
    return ((await this.sql.one(this.q.nextDue.bind({})))?.at as number | null | undefined) ?? null;
  }

  async retryAt(id: string, at: number): Promise<void> {
    await this.sql.run(this.q.retryAt.bind({ id, at }));
  }

  async timeline(id: string) {
    return (await this.sql.all(this.q.timeline.bind({ id }))).map(toTimelineEvent);
  }

  async paged(id: string, level?: number): Promise<string[]> {
    const out = new Set<string>();
    for (const r of await this.sql.all(this.q.alertPages.bind({ id }))) {
      if (level !== undefined && r.level !== level) continue;
      for (const p of JSON.parse(r.people as string) as string[]) out.add(p);
    }
    return [...out];
  }

  async openOfDevice(deviceId: string): Promise<string[]> {
    return (await this.sql.all(this.q.openOfDevice.bind({ deviceId }))).map((r) => r.id as string);
  }

  async positions(id: string): Promise<{ t: number; lat: number; lon: number }[]> {
    return (await this.sql.all(this.q.positions.bind({ id }))) as { t: number; lat: number; lon: number }[];
  }
}
