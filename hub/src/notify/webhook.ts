import type { Notifier, Outcome, PageContent, Recipient } from './port.ts';

export interface WebhookOptions {
  /** The SMS/voice gateway's endpoint; it receives one POST (JSON) per recipient. */
  url: string;
  /** e.g. an Authorization header for the gateway. Never logged. */
  headers?: Record<string, string>;
  timeoutMs: number;
}

/** The JSON body the gateway receives. */
export interface WebhookBody {
  kind: PageContent['kind'];
  to: string;
  personId: string;
  name: string;
  lang: string;
  /** Call as well as text (critical pages). */
  voice: boolean;
  /** The text in the person's language; all three are in `texts`. */
  text: string;
  texts: PageContent['texts'];
  severity: string;
  incidentId?: string;
  level?: number;
  ackBy?: number;
  /** Stable per page and recipient: the gateway can drop a retried duplicate. */
  idempotencyKey: string;
}

/** Retry what can succeed later (network errors, timeouts, 408, 429, 5xx); a 4xx is final. */
export function classify(status: number, retryAfter: string | null): Outcome {
  if (status >= 200 && status < 300) return { status: 'delivered' };
  const error = `gateway answered HTTP ${status}`;
  if (status === 408 || status === 429 || status >= 500) {
    const out: Outcome = { status: 'retry', error };
    const s = retryAfter === null ? Number.NaN : Number(retryAfter);
    if (Number.isFinite(s) && s >= 0) out.retryAfterMs = s * 1000;
    return out;
  }
  return { status: 'failed', error };
}

/** Pages and duty notices to an SMS/voice gateway over HTTP. */
export function webhookNotifier(opts: WebhookOptions): Notifier {
  if (!/^https?:\/\//.test(opts.url)) {
    throw new Error(`The webhook url must start with http:// or https:// (got ${JSON.stringify(opts.url)}).`);
  }
  return {
    channel: 'webhook',
    render(content: PageContent, to: Recipient): WebhookBody | null {
      if (!to.phone) return null;
      const body: WebhookBody = {
        kind: content.kind,
        to: to.phone,
        personId: to.id,
        name: to.name,
        lang: to.lang,
        voice: content.voice,
        text: content.texts[to.lang],
        texts: content.texts,
        severity: content.severity,
        idempotencyKey: '',
      };
      if (content.incidentId !== undefined) body.incidentId = content.incidentId;
      if (content.level !== undefined) body.level = content.level;
      if (content.ackBy !== undefined) body.ackBy = content.ackBy;
      return body;
    },
    deliver: (payload) => postJson(opts, payload),
  };
}

/** One POST of a JSON body to a gateway, its answer classified (the one implementation both webhooks use). */
export async function postJson(opts: WebhookOptions, payload: unknown): Promise<Outcome> {
  try {
    const res = await fetch(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...opts.headers },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined); // drain, so the connection is reused
    return classify(res.status, res.headers.get('retry-after'));
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { status: 'retry', error: err.cause?.code ?? err.name ?? err.message };
  }
}

/**
 * The dispatch webhook (STEPPELINK_DISPATCH_URL): when an officer dispatches rescue, the
 * ambulance or air-rescue dispatcher's system gets the incident's rescue handover, one POST per
 * dispatch (incidents/handover/dispatch.ts writes the row). It pages nobody: `render` is null
 * for every page and notice.
 */
export function dispatchNotifier(opts: WebhookOptions): Notifier {
  if (!/^https?:\/\//.test(opts.url)) {
    throw new Error(
      `The dispatch webhook url must start with http:// or https:// (got ${JSON.stringify(opts.url)}).`,
    );
  }
  return { channel: 'dispatch', render: () => null, deliver: (payload) => postJson(opts, payload) };
}
