import type { Lang, MessageInputOf, Severity, Texts } from '@steppelink/protocols';

/**
 * Delivery channels. `device` carries sos-acks to household boxes; `dispatch` the rescue handover
 * to the rescue dispatcher's system; the others reach people.
 */
export const CHANNELS = ['mqtt', 'webhook', 'stream', 'device', 'dispatch'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** Someone a page or notice goes to. */
export interface Recipient {
  id: string;
  name: string;
  phone: string | null;
  lang: Lang;
  /** Set when the person can log in (and so subscribe to their MQTT alert topic). */
  username: string | null;
}

/** What to tell a person; each channel renders the parts it can carry. */
export interface PageContent {
  kind: 'alert' | 'closing' | 'handover' | 'summary';
  severity: Severity;
  texts: Texts;
  /** The worker-phone alert (MQTT `alert` kind), for incident pages and closing notices. */
  alert?: MessageInputOf<'alert'>;
  incidentId?: string;
  level?: number;
  /** Ask the SMS/voice gateway to call as well as text. */
  voice: boolean;
  ackBy?: number;
  data?: Record<string, unknown>;
}

/**
 * Final outcomes end the row's sending; `retry` is tried again later with backoff, bounded.
 * - `delivered`: the receiver acknowledged it (a gateway's 2xx, a write to an open dashboard stream).
 * - `queued`: the broker holds it for a session subscribed to its topic (connected or persistent
 *   and offline); it becomes `delivered` when that client's PUBACK for this packet arrives. There
 *   is no `sent`: a message nobody is subscribed to is `no-listener`, not sent.
 * - `no-listener`: nobody can receive it on this channel now (no session, no open stream).
 * - `not-needed`: an SMS fallback whose app page was delivered in time.
 */
export type Outcome =
  | { status: 'delivered' | 'queued' | 'no-listener' | 'not-needed' }
  | { status: 'retry'; error: string; retryAfterMs?: number }
  | { status: 'failed'; error: string };

/**
 * A notification channel. `render` runs inside the transaction that decides a page and must be
 * pure (the result is stored in the outbox, so a restart sends exactly the same bytes);
 * `deliver` runs later, from the outbox, and may be retried.
 */
export interface Notifier {
  readonly channel: ChannelName;
  /** The payload to store for this recipient, or null when the channel can't reach them. */
  render(content: PageContent, to: Recipient): unknown | null;
  deliver(payload: unknown): Promise<Outcome>;
}
