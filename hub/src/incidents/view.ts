import type { RegistryStore } from '../registry/store.ts';
import type { Incident } from './store.ts';

/** An incident as the API, the SSE stream and the dashboard see it. */
export function viewOf(registry: RegistryStore, inc: Incident) {
  const unit = registry.getUnit(inc.unit);
  const hh = inc.household ? registry.getHousehold(inc.household) : undefined;
  const person = (id: string | null) => {
    if (!id) return null;
    const p = registry.getPerson(id);
    return { id, name: p?.name ?? id };
  };
  const step = inc.chain[inc.level];
  return {
    id: inc.id,
    key: inc.key,
    source: inc.source,
    category: inc.category,
    severity: inc.severity,
    state: inc.state,
    unit: { id: inc.unit, name: unit?.name ?? null },
    household: hh ? { id: hh.id, name: hh.name, phone: hh.phone ?? null } : null,
    deviceId: inc.device,
    reporter: person(inc.reporter),
    summary: inc.summary,
    details: inc.details,
    pos: inc.pos,
    presses: inc.presses,
    sourceTs: inc.sourceTs,
    openedAt: inc.openedAt,
    lateMs: inc.lateMs,
    level: inc.level,
    levelRole: step ? { unit: step.unit, role: step.role } : null,
    escalations: inc.escalations,
    next: inc.nextAt === null ? null : { at: inc.nextAt, action: inc.nextAction },
    ack: inc.ackAt === null ? null : { by: person(inc.ackBy), at: inc.ackAt },
    dispatch: inc.dispatchedAt === null ? null : { rescue: inc.rescue, at: inc.dispatchedAt },
    closedAt: inc.closedAt,
    updatedAt: inc.updatedAt,
  };
}
export type IncidentView = ReturnType<typeof viewOf>;
