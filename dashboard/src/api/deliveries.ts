import type { TimelineEvent } from '../../../hub/src/incidents/store.ts';

/**
 * The outbox's record of one page or sos-ack to one receiver on one channel, as
 * `GET /api/incidents/:id` returns it (`deliveries`, in the order the hub wrote them). The route
 * answers a plain SQL row, so the shape is written out here; the statuses are the hub's.
 */
export const DELIVERY_STATUSES = [
  'pending', // not sent yet
  'retry', // retrying after an error
  'held', // an SMS/voice fallback waiting for the app page's acknowledgement
  'queued', // the broker holds it for the phone's/box's session; not acknowledged yet
  'delivered', // the receiver acknowledged it (PUBACK, the gateway's 2xx, an open dashboard)
  'no-listener', // nobody could receive it on that channel
  'not-needed', // a fallback not sent: the app page was delivered
  'failed', // gave up; lastError says why
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Still on its way: the record can change without the incident changing. */
export const IN_FLIGHT: ReadonlySet<string> = new Set<DeliveryStatus>(['pending', 'retry', 'held', 'queued']);

/** 'mqtt' = the worker's phone app, 'webhook' = SMS/voice gateway, 'stream' = the dashboard, 'device' = the household's box. */
export type DeliveryChannel = 'mqtt' | 'webhook' | 'stream' | 'device';

export interface Delivery {
  kind: string;
  level: number | null;
  reminder: number | null;
  person: string | null;
  device: string | null;
  channel: DeliveryChannel | (string & {});
  status: DeliveryStatus | (string & {});
  attempts: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

export const inFlight = (ds: readonly Delivery[]): boolean => ds.some((d) => IN_FLIGHT.has(d.status));

/** Person ids as the hub lists them in a timeline event's data (`paged`, `reminded`, `escalated`). */
function peopleOf(e: TimelineEvent): string[] | null {
  const p = e.data?.people;
  return Array.isArray(p) && p.every((x) => typeof x === 'string') ? (p as string[]) : null;
}

/**
 * Names of the people an incident involved, by person id, from what its detail already carries
 * (no registry read: a banner officer's `/api/people` is thousands of rows). Sources, best first:
 * who acknowledged; each human action's actor; and the names the hub wrote into `paged` notes
 * (`网格员 巴特尔、乌云`) and `reminded` notes (`[why; ]巴特尔、乌云`) beside the ids in their data,
 * zipped only when the counts agree. Anyone left out is shown by id.
 */
export function peopleNames(
  events: readonly TimelineEvent[],
  ackBy: { id: string; name: string } | null,
): Record<string, string> {
  const names: Record<string, string> = {};
  for (const e of events) {
    const ids = peopleOf(e);
    if (!ids || !e.note || (e.type !== 'paged' && e.type !== 'reminded')) continue;
    const list = e.type === 'paged' ? e.note.slice(e.note.indexOf(' ') + 1) : e.note.split('; ').at(-1)!;
    const parts = list.split('、');
    if (parts.length !== ids.length) continue;
    ids.forEach((id, i) => {
      const name = parts[i]!.trim();
      if (name && name !== id) names[id] ??= name;
    });
  }
  for (const e of events) {
    if (e.actor && e.actorName && e.actor !== 'system') names[e.actor] = e.actorName;
  }
  if (ackBy) names[ackBy.id] = ackBy.name;
  return names;
}
