import type { TimelineType } from '../../../../hub/src/incidents/timeline-types.ts';
import type { TimelineEntry } from '../../api/incidents.ts';
import type { MessageKey, Translate } from '../../i18n/index.ts';
import { formatDuration } from '../../time.ts';

/**
 * A timeline line in the reader's language, from the event's type and data (the hub's `note` is a
 * log line in whatever language the hub wrote it; only a person's own note is shown, as typed).
 * Pure: timeline.tsx renders the result.
 */
export interface TimelineContext {
  /** Names of people by id (the incident's deliveries name everyone it paged). */
  names: Record<string, string>;
  category: string;
  severity: string;
  /** The household's box: a cancel by it was confirmed twice on the box. */
  deviceId?: string;
  rescue?: string;
}

export interface TimelineLine {
  at: number;
  type: string;
  text: string;
  level?: number;
  by?: TimelineEntry['by'];
  /** What a person wrote with their action (ack, dispatch, decline…), shown as their words. */
  said?: string;
}

/** The note a box's confirmed cancel carries when the household typed none (hub/src/incidents/sos.ts). */
const BOX_CANCEL_NOTE = 'cancelled on the box (confirmed twice)';

/** Types whose note a person wrote (the rest are the hub's own log lines). */
const PERSON_NOTES = new Set([
  'declined',
  'acknowledged',
  'dispatched',
  'resolved',
  'cancelled',
  'false-alarm',
]);

/** Person ids of `data.people`: plain ids, or `{ person, channels }` for an unreachable level. */
const ids = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.flatMap((x) =>
        typeof x === 'string'
          ? [x]
          : typeof (x as { person?: unknown })?.person === 'string'
            ? [(x as { person: string }).person]
            : [],
      )
    : [];
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

type Render = (e: TimelineEntry, c: TimelineContext, t: Translate) => string;

const role = (t: Translate, r: unknown) => (str(r) ? t.dyn(`role.${r}`, String(r)) : '');
const people = (e: TimelineEntry, c: TimelineContext, t: Translate) =>
  ids(e.data?.people)
    .map((id) => c.names[id] ?? id)
    .join(t('ev.sep'));
const plain =
  (key: MessageKey): Render =>
  (_e, _c, t) =>
    t(key);

/** One way to word each type: the compiler checks none is missing. */
const RENDER: Record<TimelineType, Render> = {
  open: (_e, c, t) =>
    t('ev.open', {
      what: t.dyn(`cat.${c.category}`, c.category),
      sev: t.dyn(`sev.${c.severity}`, c.severity),
    }),
  late: (e, _c, t) => t('ev.late', { t: formatDuration(num(e.data?.lateMs) ?? 0, t) }),
  unrouted: plain('ev.unrouted'),
  'pressed-again': (e, _c, t) => t('ev.pressed-again', { n: num(e.data?.presses) ?? 2 }),
  'late-press': plain('ev.late-press'),
  paged: (e, c, t) => t('ev.paged', { role: role(t, e.data?.role), names: people(e, c, t) }),
  skipped: (e, _c, t) =>
    t(str(e.data?.reason)?.startsWith('only the reporter') ? 'ev.skipped.reporter' : 'ev.skipped', {
      role: role(t, e.data?.role),
    }),
  escalated: (e, c, t) => {
    const cause = str(e.data?.cause);
    const key: MessageKey =
      cause === 'declined'
        ? 'ev.escalated.declined'
        : cause === 'unreachable'
          ? 'ev.escalated.unreachable'
          : 'ev.escalated.timeout';
    return t(key, { names: people(e, c, t) });
  },
  reminded: (e, c, t) => t('ev.reminded', { n: num(e.data?.reminder) ?? 1, names: people(e, c, t) }),
  reescalated: plain('ev.reescalated'),
  'top-reached': plain('ev.top-reached'),
  'reminders-exhausted': plain('ev.reminders-exhausted'),
  unreachable: (e, c, t) => t('ev.unreachable', { names: people(e, c, t) }),
  declined: plain('ev.declined'),
  'first-response': plain('ev.first-response'),
  message: (e, _c, t) =>
    str(e.data?.from) === 'household'
      ? t('ev.message.household')
      : t('ev.message.responder', { who: e.by?.name ?? '' }),
  'message-read': (e, _c, t) =>
    str(e.data?.from) === 'household'
      ? t('ev.message-read.responder', { who: e.by?.name ?? '' })
      : t('ev.message-read.household'),
  'sos-path': (e, _c, t) => {
    const path = str(e.data?.path);
    return path === 'sms' || path === 'beidou' ? t(`ev.sos-path.${path}`) : t('ev.sos-path.mqtt');
  },
  notified: plain('state.notified'),
  acknowledged: plain('state.acknowledged'),
  dispatched: (_e, c, t) =>
    c.rescue ? t('ev.dispatched', { rescue: t.dyn(`rescue.${c.rescue}`, c.rescue) }) : t('state.dispatched'),
  resolved: plain('state.resolved'),
  cancelled: (e, c, t) =>
    c.deviceId && e.by?.id === c.deviceId ? t('ev.cancelled.box') : t('state.cancelled'),
  'false-alarm': plain('state.false-alarm'),
};

export function eventText(e: TimelineEntry, c: TimelineContext, t: Translate): string {
  const render = (RENDER as Record<string, Render | undefined>)[e.type];
  // a type newer than this dashboard: its state's name, else the type itself, never a log line
  return render ? render(e, c, t) : e.state ? t.dyn(`state.${e.state}`, e.type) : e.type;
}

/** What a message of the SOS conversation said: its canned phrase in the reader's language, then its text as typed. */
function messageWords(e: TimelineEntry, t: Translate): string | undefined {
  const canned = str(e.data?.canned);
  const parts = [canned ? t.dyn(`reply.${canned}`, canned) : undefined, str(e.data?.text)].filter(
    (x): x is string => !!x,
  );
  return parts.length > 0 ? parts.join(' — ') : undefined;
}

/**
 * The lines to show: each event once. Paging a level records the page (with who) and, the first
 * time, the incident's move to "paged" at the same moment: that second line says nothing new.
 */
export function timelineLines(
  entries: readonly TimelineEntry[],
  c: TimelineContext,
  t: Translate,
): TimelineLine[] {
  const pagedAt = new Set(entries.filter((e) => e.type === 'paged').map((e) => e.at));
  return entries
    .filter((e) => !(e.type === 'notified' && pagedAt.has(e.at)))
    .map((e) => {
      const said =
        e.type === 'message'
          ? messageWords(e, t)
          : e.note && PERSON_NOTES.has(e.type) && !(e.type === 'cancelled' && e.note === BOX_CANCEL_NOTE)
            ? e.note
            : undefined;
      return {
        at: e.at,
        type: e.type,
        text: eventText(e, c, t),
        ...(e.level !== undefined ? { level: e.level } : {}),
        ...(e.by ? { by: e.by } : {}),
        ...(said ? { said } : {}),
      };
    });
}
