import { INCIDENT_STREAM_URL, type Incident, listIncidents, toIncident } from '../api/incidents.ts';
import { createStore } from '../store.ts';
import { setAlarm } from './alarm.ts';
import { isAlarming, isClosed } from './order.ts';
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

/** Closed incidents stay on the board this long, so an officer sees what just ended. */
const KEEP_CLOSED_MS = 30 * 60_000;

let stream: LiveStream | null = null;
let loadSeq = 0;

function publish(map: Map<string, Incident>): void {
  incidentsStore.set(map);
  setAlarm([...map.values()].some(isAlarming));
}

async function reload(): Promise<void> {
  const seq = ++loadSeq;
  try {
    const list = await listIncidents({ open: true });
    if (seq !== loadSeq) return; // a newer reload won
    const now = Date.now();
    const next = new Map<string, Incident>();
    for (const i of list) next.set(i.id, i);
    // keep recently closed ones we already had (the active list no longer contains them)
    for (const i of incidentsStore.get().values()) {
      if (!next.has(i.id) && isClosed(i) && now - i.updatedAt < KEEP_CLOSED_MS) next.set(i.id, i);
    }
    publish(next);
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

function onEvent(_name: string, data: unknown): void {
  const d = data as Record<string, unknown> | null;
  const payload = d && typeof d === 'object' ? (d.incident ?? d.data ?? d) : null;
  const incident = payload ? toIncident(payload) : null;
  if (incident?.id && incident.openedAt) upsertIncident(incident);
  else void reload(); // an event that only names the incident: fetch the list again
}

export function startLive(): void {
  if (stream) return;
  streamStateStore.set('connecting');
  stream = openStream({
    url: INCIDENT_STREAM_URL,
    events: ['incident', 'incident.changed', 'incident.created', 'incident.updated'],
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
