import { classify } from '../notify/webhook.ts';
import type { Outcome } from '../notify/port.ts';
import { SIGNATURE_HEADER, sign } from './signature.ts';

/** One short message the hub sends back: an sos-ack to a box's SIM or BeiDou card. */
export interface OutboundShort {
  /** the phone number (SMS) or BeiDou card address the SOS came from */
  to: string;
  path: 'sms' | 'beidou';
  /** what to send: the SMS text (household text + ack tag), or hex for a BeiDou terminal's code mode */
  body: string;
  /** the human text inside `body` (SMS), for the gateway's log */
  text: string;
  deviceId: string;
  sosId: string;
  state: string;
  /** stable per sos-ack: the gateway can drop a retried duplicate */
  idempotencyKey: string;
}

export interface OutboundGatewayOptions {
  /** The SMS gateway's (or BeiDou command centre's) endpoint for outbound messages. */
  url: string;
  /** Signs each POST like the inbound contract (X-SteppeLink-Signature). */
  secret?: string;
  /** e.g. an Authorization header. Never logged. */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export type OutboundGateway = (m: OutboundShort, nowMs: number) => Promise<Outcome>;

/** POSTs one JSON body per message; 2xx = delivered (the gateway took it), 408/429/5xx retried. */
export function httpOutbound(o: OutboundGatewayOptions): OutboundGateway {
  if (!/^https?:\/\//.test(o.url))
    throw new Error(
      `The outbound SMS gateway url must start with http:// or https:// (got ${JSON.stringify(o.url)}).`,
    );
  return async (m, nowMs) => {
    const body = JSON.stringify(m);
    try {
      const res = await fetch(o.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(o.secret ? { [SIGNATURE_HEADER]: sign(o.secret, body, nowMs) } : {}),
          ...o.headers,
        },
        body,
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      return classify(res.status, res.headers.get('retry-after'));
    } catch (e) {
      return { status: 'retry', error: `outbound SMS gateway: ${(e as Error).message}` };
    }
  };
}
