import {
  INCIDENT_STREAM_URL,
  type Incident,
  type IncidentView,
  listIncidents,
  toIncident,
} from '../api/incidents.ts';
import { createStore } from '../store.ts';
import { setAlarm } from './alarm.ts';
import { isAlarming } from './order.ts';
import { type LiveStream, openStream, type StreamState } from './stream.ts';

/**
 * The live incidents of the signed-in person's units: loaded once, then kept current by the SSE
 * stream; after every reconnect the list is fetched again, so nothing missed while stale stays
 * missing. Drives the alarm: it sounds while any critical/high incident is unacknowledged.
 */
export const incidentsStore = createStore<ReadonlyMap<string, Incident>>(new Map());
export const streamStateStore = createStore<StreamState>('connecting');
/** Ids that arrived live since the page loaded (the board flashes them). */
export const freshStore = createStore<ReadonlySet<string>>(new Set());

/** Incidents opened this long ago and closed since are loaded too ("show closed" on the board). */
const KEEP_CLOSED_MS = 24 * 3_600_000;

let stream: LiveStream | null = null;
let loadSeq = 0;

function publish(map: Map<string, Incident>): void {
  incidentsStore.set(map);
  setAlarm([...map.values()].some(isAlarming));
}

async function reload(): Promise<void> {
  const seq = ++loadSeq;
  try {
    const [active, closed] = await Promise.all([
      listIncidents({ state: 'active', limit: 500 }),
      listIncidents({ state: 'closed', since: Date.now() - KEEP_CLOSED_MS, limit: 50 }),
    ]);
    if (seq !== loadSeq) return; // a newer reload won
    publish(new Map([...closed, ...active].map((i) => [i.id, i])));
  } catch {
    // the stream state shows the problem; the next reconnect reloads
  }
}

/** Applies one incident as the hub sent it (stream event or an action's answer). */
export function upsertIncident(incident: Incident): void {
  if (!incident.id) return;
  const prev = incidentsStore.get().get(incident.id);
  if (prev && prev.updatedAt > incident.updatedAt) return; // an older event arriving late
  const next = new Map(incidentsStore.get());
  next.set(incident.id, incident);
  if (!prev) freshStore.set(new Set([...freshStore.get(), incident.id]));
  publish(next);
}

function onEvent(name: string, data: unknown): void {
  const view = data as IncidentView | null;
  if (name === 'incident' && view?.id && view.unit) upsertIncident(toIncident(view));
  else void reload(); // `dropped`: events were lost, fetch the list again
}

export function startLive(): void {
  if (stream) return;
  streamStateStore.set('connecting');
  stream = openStream({
    url: INCIDENT_STREAM_URL,
    events: ['incident', 'dropped'], // dropped: the hub's queue for this stream overflowed, so reload
    onEvent,
    onState: (s) => streamStateStore.set(s),
    onOpen: () => void reload(),
  });
  globalThis.addEventListener?.('online', retry);
}

function retry(): void {
  stream?.retryNow();
}

export function stopLive(): void {
  stream?.close();
  stream = null;
  globalThis.removeEventListener?.('online', retry);
  incidentsStore.set(new Map());
  setAlarm(false);
}
