import type { Lang, MessageInputOf, Severity, Texts } from '@steppelink/protocols';

/** Delivery channels. `device` carries sos-acks to household boxes; the others reach people. */
export const CHANNELS = ['mqtt', 'webhook', 'stream', 'device'] as const;
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

/** Final outcomes end the row; `retry` is tried again later with backoff, bounded. */
export type Outcome =
  | { status: 'sent' | 'delivered' | 'no-listener' }
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
