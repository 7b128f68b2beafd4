import type { InferResponseType } from 'hono/client';
import type { api } from './client.ts';

/** The statuses of the outbox's records (the hub's), in the order a record can pass through them. */
export const DELIVERY_STATUSES = [
  'pending', // not sent yet
  'retry', // retrying after an error
  'held', // an SMS/voice fallback waiting for the app page's acknowledgement
  'queued', // the broker holds it for the phone's/box's session; not acknowledged yet
  'delivered', // the receiver acknowledged it (PUBACK, the gateway's 2xx, an open dashboard)
  'read', // an SOS conversation message its reader showed or opened (a read receipt; delivered too)
  'no-listener', // nobody could receive it on that channel
  'not-needed', // a fallback not sent: the app page was delivered
  'failed', // gave up; lastError says why
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Still on its way: the record can change without the incident changing. */
export const IN_FLIGHT: ReadonlySet<string> = new Set<DeliveryStatus>(['pending', 'retry', 'held', 'queued']);

/**
 * The outbox's record of one page or sos-ack to one receiver on one channel, as
 * `GET /api/incidents/:id` returns it (`deliveries`, in the order the hub wrote them), typed from
 * the route. `channel`: 'mqtt' = the worker's phone app, 'webhook' = SMS/voice gateway, 'stream' =
 * the dashboard, 'device' = the household's box.
 */
export type Delivery = InferResponseType<
  (typeof api.api.incidents)[':id']['$get'],
  200
>['deliveries'][number];
export type DeliveryChannel = Delivery['channel'];

export const inFlight = (ds: readonly Delivery[]): boolean => ds.some((d) => IN_FLIGHT.has(d.status));
