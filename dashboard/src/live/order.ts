import { CLOSED_STATES, type Incident, type Severity } from '../api/incidents.ts';

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Waiting for a person: nobody has acknowledged yet. */
export const isUnacknowledged = (i: Incident) => i.state === 'open' || i.state === 'notified';
export const isClosed = (i: Incident) => CLOSED_STATES.includes(i.state);

/** Sounds and flashes until acknowledged: unacknowledged critical and high incidents. */
export const isAlarming = (i: Incident) =>
  isUnacknowledged(i) && (i.severity === 'critical' || i.severity === 'high');

function group(i: Incident): number {
  if (isUnacknowledged(i)) return 0;
  return isClosed(i) ? 2 : 1;
}

/**
 * Board order: unacknowledged first, then in hand (acknowledged, dispatched), then closed; within
 * each, by severity, then the oldest first (it has waited longest); id breaks ties so the order is
 * stable between refreshes.
 */
export function compareIncidents(a: Incident, b: Incident): number {
  return (
    group(a) - group(b) ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    a.openedAt - b.openedAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function sortIncidents(list: Iterable<Incident>): Incident[] {
  return [...list].sort(compareIncidents);
}
