import type { DeliveryInsert } from '../incidents/store-port.ts';
import type { Db } from '../state/db.ts';
import { SqliteRunner } from '../state/sqlite-run.ts';
import { deliveryParams, deliveryQueriesFor, toDeliveryRow } from './delivery-sql.ts';
import type { DeliveryRow, OutcomeUpdate, SyncDeliveryStore } from './delivery-store.ts';

/**
 * The deliveries outbox on the hub's SQLite database (the incidents module's migrations make the
 * table). Every call answers synchronously, so the deliverer's pump, its PUBACK marking and its
 * outcome writes run as before the port.
 */
export class SqliteDeliveryStore implements SyncDeliveryStore {
  private readonly q = deliveryQueriesFor('sqlite');
  private readonly sql: SqliteRunner;

  constructor(private readonly db: Db) {
    this.sql = new SqliteRunner(db);
  }

  /** False once the database is closed (the deliverer then leaves rows due for the next start). */
  get open(): boolean {
    return this.db.open;
  }

  /** Within the caller's transaction when there is one (the incident store's commit). */
  insert(rows: readonly DeliveryInsert[], at: number): { id: number; key: string }[] {
    const out: { id: number; key: string }[] = [];
    for (const d of rows) {
      const r = this.sql.one(this.q.insert.bind(deliveryParams(d, at)));
      if (r) out.push({ id: Number(r.id), key: d.key });
    }
    return out;
  }
  due(now: number, batch: number): DeliveryRow[] {
    return [
      ...this.sql.all(this.q.dueOther.bind({ now, batch })),
      ...this.sql.all(this.q.dueDevice.bind({ now, batch })),
    ].map(toDeliveryRow);
  }
  nextDue(after: number): number | null {
    const a = this.sql.one(this.q.nextOther.bind({ after }))?.at as number | null | undefined;
    const b = this.sql.one(this.q.nextDevice.bind({ after }))?.at as number | null | undefined;
    const times = [a, b].filter((t): t is number => t !== null && t !== undefined).map(Number);
    return times.length === 0 ? null : Math.min(...times);
  }
  backlog(): number {
    return Number(this.sql.one(this.q.backlog.bind({}))?.n ?? 0);
  }
  openOfDevice(device: string): number[] {
    return this.sql.all(this.q.openOfDevice.bind({ device })).map((r) => Number(r.id));
  }
  olderOpen(device: string, id: number): boolean {
    return this.sql.one(this.q.olderOpen.bind({ device, id })) !== undefined;
  }
  statusOf(key: string): string | undefined {
    return this.sql.one(this.q.statusOf.bind({ key }))?.status as string | undefined;
  }
  again(ids: readonly number[], now: number): void {
    this.sql.transaction(() => {
      for (const id of ids) this.sql.run(this.q.again.bind({ id, now }));
    });
  }
  markDelivered(wire: string, now: number): { key: string; incidentId: string | null }[] {
    return this.sql.transaction(() => {
      const rows = this.sql.all(this.q.delivered.bind({ wire, now }));
      for (const r of rows) this.sql.run(this.q.notNeeded.bind({ key: r.key, now }));
      return rows.map((r) => ({
        key: r.key as string,
        incidentId: (r.incident_id as string | null) ?? null,
      }));
    });
  }
  markRead(key: string, now: number): { key: string; incidentId: string | null }[] {
    return this.sql
      .all(this.q.read.bind({ key, now }))
      .map((r) => ({ key: r.key as string, incidentId: (r.incident_id as string | null) ?? null }));
  }
  release(afterKey: string, now: number): number {
    return this.sql.run(this.q.release.bind({ key: afterKey, now }));
  }
  record(outcomes: readonly OutcomeUpdate[]): void {
    this.sql.transaction(() => {
      for (const o of outcomes) this.sql.run(this.q.outcome.bind({ ...o }));
    });
  }
}
