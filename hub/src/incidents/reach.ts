import type { ChannelName } from '../notify/port.ts';

/** One page delivery of a level (any reminder), as the outbox holds it. */
export interface ReachRow {
  person: string;
  channel: ChannelName;
  status: string;
  createdAt: number;
}

/** Why a person paged at a level could not be reached, channel by channel. */
export interface Unreached {
  person: string;
  channels: { channel: ChannelName; status: string }[];
}

export type Reach =
  /** Somebody at the level has the page (a PUBACK, a gateway's 2xx, an open dashboard). */
  | { state: 'reached'; people: string[] }
  /** Nobody yet, but a channel may still deliver; look again at `until` (null: when an outcome arrives). */
  | { state: 'pending'; until: number | null }
  /** No channel delivered to anybody at the level, and none can any more within the fallback time. */
  | { state: 'unreachable'; people: Unreached[] };

/** Still on its way: not sent yet, retrying, or an SMS fallback waiting for its app page. */
const IN_FLIGHT: ReadonlySet<string> = new Set(['pending', 'retry', 'held']);

/**
 * Did a level's page reach anybody? Pure: a function of the level's delivery rows, the time and
 * the fallback window. An app page the broker still holds (`queued`) counts as on its way only
 * for `fallbackAfterMs` after it was written; after that, only a PUBACK (`delivered`) counts.
 * A level with no rows at all (nobody paged has an app, a phone or an open dashboard) is
 * unreachable at once.
 */
export function levelReach(rows: readonly ReachRow[], now: number, fallbackAfterMs: number): Reach {
  const reached = new Set<string>();
  let pending = false;
  let until: number | null = null;
  const byPerson = new Map<string, Unreached>();
  for (const r of rows) {
    if (r.status === 'delivered') reached.add(r.person);
    else if (IN_FLIGHT.has(r.status)) pending = true;
    else if (r.status === 'queued' && r.createdAt + fallbackAfterMs > now) {
      pending = true;
      const due = r.createdAt + fallbackAfterMs;
      until = until === null ? due : Math.min(until, due);
    }
    const u = byPerson.get(r.person) ?? { person: r.person, channels: [] };
    u.channels.push({ channel: r.channel, status: r.status });
    byPerson.set(r.person, u);
  }
  if (reached.size > 0) return { state: 'reached', people: [...reached] };
  if (pending) return { state: 'pending', until };
  return { state: 'unreachable', people: [...byPerson.values()] };
}
