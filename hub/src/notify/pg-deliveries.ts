import type { DeliveryInsert } from '../incidents/store-port.ts';
import { type PgDb, PgRunner } from '../state/pg-db.ts';
import { deliveryParams, deliveryQueriesFor, toDeliveryRow } from './delivery-sql.ts';
import type { DeliveryRow, DeliveryStore, OutcomeUpdate } from './delivery-store.ts';

/**
 * The deliveries outbox on PostgreSQL (issue #26): the SQLite adapter's queries and row mapper
 * (delivery-sql.ts, compiled for PostgreSQL) on a node-postgres pool (state/pg-db.ts). The table
 * comes with the incident tables (incidents/pg-migrations.ts), as on SQLite. Every answer is a
 * promise; `again`, `markDelivered` and `record` are one transaction each.
 *
 * One deliverer at a time: `due` lists rows, it does not claim them, so two hubs draining one
 * outbox would both send a due row. Claiming due rows across hubs (a lease on the row taken with
 * `FOR UPDATE SKIP LOCKED`) is planned with the multi-hub coordination of #26.
 */
export class PgDeliveryStore implements DeliveryStore {
  private readonly q = deliveryQueriesFor('postgres');
  private readonly sql: PgRunner;

  constructor(db: PgDb) {
    this.sql = new PgRunner(db);
  }

  async insert(rows: readonly DeliveryInsert[], at: number): Promise<{ id: number; key: string }[]> {
    return this.sql.transaction(async (tx) => {
      const out: { id: number; key: string }[] = [];
      for (const d of rows) {
        const r = await tx.one(this.q.insert.bind(deliveryParams(d, at)));
        if (r) out.push({ id: Number(r.id), key: d.key });
      }
      return out;
    });
  }
  async due(now: number, batch: number): Promise<DeliveryRow[]> {
    const [other, device] = await Promise.all([
      this.sql.all(this.q.dueOther.bind({ now, batch })),
      this.sql.all(this.q.dueDevice.bind({ now, batch })),
    ]);
    return [...other, ...device].map(toDeliveryRow);
  }
  async nextDue(after: number): Promise<number | null> {
    const [a, b] = await Promise.all([
      this.sql.one(this.q.nextOther.bind({ after })),
      this.sql.one(this.q.nextDevice.bind({ after })),
    ]);
    const times = [a?.at, b?.at].filter((t) => t !== null && t !== undefined).map(Number);
    return times.length === 0 ? null : Math.min(...times);
  }
  async backlog(): Promise<number> {
    return Number((await this.sql.one(this.q.backlog.bind({})))?.n ?? 0);
  }
  async openOfDevice(device: string): Promise<number[]> {
    return (await this.sql.all(this.q.openOfDevice.bind({ device }))).map((r) => Number(r.id));
  }
  async olderOpen(device: string, id: number): Promise<boolean> {
    return (await this.sql.one(this.q.olderOpen.bind({ device, id }))) !== undefined;
  }
  async statusOf(key: string): Promise<string | undefined> {
    return (await this.sql.one(this.q.statusOf.bind({ key })))?.status as string | undefined;
  }
  async again(ids: readonly number[], now: number): Promise<void> {
    await this.sql.transaction(async (tx) => {
      for (const id of ids) await tx.run(this.q.again.bind({ id, now }));
    });
  }
  async markDelivered(wire: string, now: number): Promise<{ key: string; incidentId: string | null }[]> {
    return this.sql.transaction(async (tx) => {
      const rows = await tx.all(this.q.delivered.bind({ wire, now }));
      for (const r of rows) await tx.run(this.q.notNeeded.bind({ key: r.key, now }));
      return rows.map((r) => ({
        key: r.key as string,
        incidentId: (r.incident_id as string | null) ?? null,
      }));
    });
  }
  async markRead(key: string, now: number): Promise<{ key: string; incidentId: string | null }[]> {
    return (await this.sql.all(this.q.read.bind({ key, now }))).map((r) => ({
      key: r.key as string,
      incidentId: (r.incident_id as string | null) ?? null,
    }));
  }
  async release(afterKey: string, now: number): Promise<number> {
    return this.sql.run(this.q.release.bind({ key: afterKey, now }));
  }
  async record(outcomes: readonly OutcomeUpdate[]): Promise<void> {
    await this.sql.transaction(async (tx) => {
      for (const o of outcomes) await tx.run(this.q.outcome.bind({ ...o }));
    });
  }
}
