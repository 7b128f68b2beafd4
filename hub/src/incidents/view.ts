import type { Statement } from 'better-sqlite3';
import type { Registry } from '../registry/registry.ts';
import type { Db } from '../state/db.ts';
import type { Incident } from './store.ts';

/**
 * When the incident climbs to the next level if nobody acts: the acknowledgement deadline of the
 * current level's pages while it awaits an ack (reminders don't move it), the re-escalation time
 * once acknowledged but not dispatched; null at the top of the chain or when closed.
 */
const ackDeadlines = new WeakMap<Db, Statement>();
/** Prepared once per database: this runs for every incident view the board and the stream get. */
function ackDeadline(db: Db): Statement {
  let st = ackDeadlines.get(db);
  if (!st) {
    st = db.prepare('SELECT max(ack_by_at) FROM pages WHERE incident_id = ? AND level = ?').pluck();
    ackDeadlines.set(db, st);
  }
  return st;
}

export function escalateAtOf(db: Db, inc: Incident): number | null {
  if (inc.state === 'acknowledged') return inc.nextAction === 'reescalate' ? inc.nextAt : null;
  if (
    (inc.state !== 'open' && inc.state !== 'notified') ||
    inc.level < 0 ||
    inc.level + 1 >= inc.chain.length
  )
    return null;
  const at = ackDeadline(db).get(inc.id, inc.level) as number | null;
  return at ?? (inc.nextAction === 'escalate' ? inc.nextAt : null);
}

/** The unit and its ancestors, top down, with their names. */
export function placeOf(registry: Registry, unitId: string) {
  return registry
    .unitChain(unitId)
    .reverse()
    .map((u) => ({ id: u.id, level: u.level, name: u.name }));
}

function powerOf(details: Record<string, unknown> | null): { source: string; battery: number | null } | null {
  const p = details?.power as { source?: unknown; battery?: unknown } | undefined;
  if (!p || typeof p.source !== 'string') return null;
  return { source: p.source, battery: typeof p.battery === 'number' ? p.battery : null };
}

/** An incident as the API, the SSE stream and the dashboard see it. */
export function viewOf(registry: Registry, inc: Incident, db?: Db) {
  const unit = registry.getUnit(inc.unit);
  const hh = inc.household ? registry.getHousehold(inc.household) : undefined;
  const person = (id: string | null) => {
    if (!id) return null;
    const p = registry.getPerson(id);
    return { id, name: p?.name ?? id };
  };
  const step = inc.chain[inc.level];
  const note = typeof inc.details?.note === 'string' ? inc.details.note : null;
  return {
    id: inc.id,
    key: inc.key,
    source: inc.source,
    category: inc.category,
    severity: inc.severity,
    state: inc.state,
    unit: { id: inc.unit, name: unit?.name ?? null },
    /** Where, top down (league … grid): every village has a 一组, so a grid's name alone is ambiguous. */
    place: placeOf(registry, inc.unit),
    household: hh
      ? {
          id: hh.id,
          name: hh.name,
          phone: hh.phone ?? null,
          // who lives there and how to reach them: the responder calls before driving out;
          // year of birth and medical notes for the rescue handover (handover/build.ts)
          members: hh.members.map((m) => ({
            name: m.name,
            phone: m.phone ?? null,
            note: m.note ?? null,
            born: m.born ?? null,
            medical: m.medical ?? null,
          })),
        }
      : null,
    deviceId: inc.device,
    reporter: person(inc.reporter),
    summary: inc.summary,
    details: inc.details,
    /** What the household typed on the box with the SOS, and how the box was powered. */
    note,
    power: powerOf(inc.details),
    pos: inc.pos,
    presses: inc.presses,
    sourceTs: inc.sourceTs,
    openedAt: inc.openedAt,
    lateMs: inc.lateMs,
    level: inc.level,
    levelRole: step ? { unit: step.unit, role: step.role } : null,
    escalations: inc.escalations,
    next: inc.nextAt === null ? null : { at: inc.nextAt, action: inc.nextAction },
    escalateAt: db ? escalateAtOf(db, inc) : null,
    ack: inc.ackAt === null ? null : { by: person(inc.ackBy), at: inc.ackAt },
    dispatch: inc.dispatchedAt === null ? null : { rescue: inc.rescue, at: inc.dispatchedAt },
    closedAt: inc.closedAt,
    updatedAt: inc.updatedAt,
  };
}
export type IncidentView = ReturnType<typeof viewOf>;
