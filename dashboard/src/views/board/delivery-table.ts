import type { Delivery } from '../../api/deliveries.ts';
import type { TimelineEntry } from '../../api/incidents.ts';

/** The channels a person is paged on, in column order: phone app, SMS/voice gateway, dashboard. */
export const PERSON_CHANNELS = ['mqtt', 'webhook', 'stream'] as const;
export type PersonChannel = (typeof PERSON_CHANNELS)[number];

/** The latest record of one receiver on one channel. */
export interface Cell {
  status: string;
  /** When it was delivered, or when its record last changed. */
  at: number;
  attempts: number;
  lastError: string | null;
  /** The page (0) or reminder (1, 2…) this record is for. */
  reminder: number;
}

export interface PersonRow {
  person: string;
  name: string;
  cells: Partial<Record<PersonChannel, Cell>>;
  response: 'acknowledged' | 'declined' | null;
}

export interface LevelGroup {
  level: number;
  /** The role paged at this level (from the chain), when known. */
  role: string | null;
  people: PersonRow[];
}

export interface BoxRow {
  device: string;
  cell: Cell;
  /** How many sos-acks the box was sent. */
  sent: number;
}

export interface DeliveryTable {
  levels: LevelGroup[];
  boxes: BoxRow[];
}

const cellOf = (d: Delivery): Cell => ({
  status: d.status,
  at: d.status === 'delivered' && d.deliveredAt !== null ? d.deliveredAt : d.updatedAt,
  attempts: d.attempts,
  lastError: d.lastError,
  reminder: d.reminder ?? 0,
});

const isPersonChannel = (c: string): c is PersonChannel => (PERSON_CHANNELS as readonly string[]).includes(c);

/**
 * The delivery section's rows, a pure function of the incident's detail: each person paged, by
 * level, with the latest record per channel (the hub lists records in the order written, so a
 * later reminder's record replaces the page's), and whether they acknowledged or declined at that
 * level; then each household box with its latest sos-ack. Closing notices are left out: the
 * question here is whether the alert reached someone.
 */
export function deliveryTable(
  deliveries: readonly Delivery[],
  o: {
    chain: readonly { role: string }[];
    names: Readonly<Record<string, string>>;
    ackById?: string | undefined;
    timeline: readonly TimelineEntry[];
  },
): DeliveryTable {
  const levels = new Map<number, Map<string, PersonRow>>();
  const boxes = new Map<string, BoxRow>();
  for (const d of deliveries) {
    if (d.kind === 'sos-ack' && d.device) {
      const prev = boxes.get(d.device);
      boxes.set(d.device, { device: d.device, cell: cellOf(d), sent: (prev?.sent ?? 0) + 1 });
      continue;
    }
    if (d.kind !== 'alert' || d.person === null || d.level === null || !isPersonChannel(d.channel)) continue;
    const people = levels.get(d.level) ?? new Map<string, PersonRow>();
    levels.set(d.level, people);
    let row = people.get(d.person);
    if (!row) {
      row = { person: d.person, name: o.names[d.person] ?? d.person, cells: {}, response: null };
      people.set(d.person, row);
    }
    row.cells[d.channel] = cellOf(d);
  }
  const declined = new Set(
    o.timeline.filter((e) => e.type === 'declined' && e.by).map((e) => `${e.level}:${e.by!.id}`),
  );
  return {
    levels: [...levels.entries()]
      .sort(([a], [b]) => a - b)
      .map(([level, people]) => ({
        level,
        role: o.chain[level]?.role ?? null,
        people: [...people.values()].map((p) => ({
          ...p,
          response:
            p.person === o.ackById
              ? 'acknowledged'
              : declined.has(`${level}:${p.person}`)
                ? 'declined'
                : null,
        })),
      })),
    boxes: [...boxes.values()],
  };
}
