import { DELIVERY_STATUSES, type Delivery, type DeliveryStatus } from '../../api/deliveries.ts';
import { PERSON_CHANNELS } from './delivery-table.ts';

/** How many people-and-channels stand at each delivery status, in the statuses' order. */
export type DeliverySummary = { status: DeliveryStatus; n: number }[];

/**
 * The delivery state of an incident's pages in one line (the board's card on a phone): the latest
 * record of each person on each channel (app, SMS/voice, board), counted by status. Reminders
 * replace their page's record, as in the detail's table; the household box's sos-acks and the
 * closing notices are left out (the question is whether the alert reached someone).
 */
export function deliverySummary(deliveries: readonly Delivery[]): DeliverySummary {
  const latest = new Map<string, string>();
  for (const d of deliveries) {
    if (d.kind !== 'alert' || d.person === null) continue;
    if (!(PERSON_CHANNELS as readonly string[]).includes(d.channel)) continue;
    latest.set(`${d.level}\u0000${d.person}\u0000${d.channel}`, d.status);
  }
  const counts = new Map<string, number>();
  for (const s of latest.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
  return DELIVERY_STATUSES.flatMap((status) => {
    const n = counts.get(status);
    return n ? [{ status, n }] : [];
  });
}
