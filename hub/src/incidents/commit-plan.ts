import type { CompiledQuery } from 'kysely';
import { deliveryParams } from '../notify/delivery-sql.ts';
import { incidentParams } from './store.ts';
import type { Commit, DeliveryInsert } from './store-port.ts';
import type { IncidentQueries } from './store-sql.ts';

/** One write of a commit, and what it means when it changes no row (a conflict: the whole commit is refused). */
export interface CommitStep {
  query: CompiledQuery;
  /** set when "no row changed" means another writer got there first */
  conflict?: string;
}

/**
 * The writes of one incident commit, in order, bound for one dialect: the incident (inserted, or
 * saved with compare-and-set on its version), the messages it applies, its page steps, its timeline
 * lines and positions. Every adapter runs them in one transaction and refuses the commit with
 * StoreConflict at the first step whose `conflict` is set and that changed nothing; the outbox
 * rows follow (`deliveryInserts`). One plan, so the SQLite and PostgreSQL adapters write the same.
 */
export function commitSteps(q: IncidentQueries, c: Commit): CommitStep[] {
  const inc = c.incident;
  const row = incidentParams(inc);
  const steps: CommitStep[] = [
    c.insert
      ? { query: q.insertIncident.bind(row) }
      : {
          query: q.saveIncident.bind({ ...row, nextVersion: inc.version + 1 }),
          conflict: `incident ${inc.id} changed since it was read (version ${inc.version})`,
        },
  ];
  for (const m of c.messages) {
    steps.push({
      query: q.rememberMessage.bind({ source: m.source, msgId: m.id, incidentId: inc.id, at: c.at }),
      conflict: `message ${m.source}/${m.id} was applied already`,
    });
  }
  for (const p of c.pages) {
    steps.push({
      query: q.page.bind({
        incident_id: inc.id,
        level: p.level,
        reminder: p.reminder,
        kind: p.kind,
        at: c.at,
        ack_by_at: p.ackBy,
        people: JSON.stringify(p.people),
      }),
      conflict: `page step ${inc.id} ${p.level}/${p.reminder}/${p.kind} was taken already`,
    });
  }
  for (const l of c.lines) {
    steps.push({
      query: q.line.bind({
        incident_id: inc.id,
        at: c.at,
        type: l.event,
        state: l.state,
        actor: l.actor?.id ?? null,
        actor_name: l.actor?.name ?? null,
        actor_role: l.actor?.role ?? null,
        level: l.level ?? null,
        note: l.note ?? null,
        data: l.data ? JSON.stringify(l.data) : null,
      }),
    });
  }
  for (const p of c.positions ?? []) steps.push({ query: q.position.bind({ incidentId: inc.id, ...p }) });
  if (c.positions?.length && c.keepPositions) {
    steps.push({ query: q.trimPositions.bind({ incidentId: inc.id, offset: c.keepPositions - 1 }) });
  }
  return steps;
}

/** The outbox inserts of a commit: each returns the new row's id, or no row when its key existed. */
export function deliveryInserts(
  q: IncidentQueries,
  rows: readonly DeliveryInsert[],
  at: number,
): { key: string; query: CompiledQuery }[] {
  return rows.map((d) => ({
    key: d.key,
    query: q.delivery.bind(deliveryParams(d, at)),
  }));
}
