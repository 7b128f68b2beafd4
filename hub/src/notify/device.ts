import { downTopic, encode } from '@steppelink/protocols';
import type { Publisher } from '../context.ts';
import { publishToSession } from './mqtt.ts';
import type { Notifier, Outcome } from './port.ts';

export interface DeviceAckPayload {
  deviceId: string;
  /** The downstream kind: `sos-ack` (absent, rows written before #27) or a responder's `sos-msg`. */
  kind?: 'sos-ack' | 'sos-msg';
  message: unknown;
}

/**
 * sos-acks (and responders' texts, `down/sos-msg`, in the same per-box order) to a household box
 * or tracker: `sl/v1/{deviceId}/down/sos-ack`, QoS 1, `queued` for
 * a session subscribed to it (delivered on its PUBACK), `no-listener` when the box has none: it
 * then gets its open incident's current state once it has subscribed again (incidents module).
 */
export function deviceAckChannel(publisher: Publisher): Notifier {
  return {
    channel: 'device',
    render: () => null, // sos-acks are written by the engine, not rendered per person
    async deliver(payload): Promise<Outcome> {
      const p = payload as DeviceAckPayload;
      const kind = p.kind ?? 'sos-ack';
      const bytes = encode(kind, p.message as never);
      if (!bytes.ok) return { status: 'failed', error: `${kind} does not encode: ${bytes.error.message}` };
      return publishToSession(publisher, downTopic(p.deviceId, kind), bytes.value);
    },
  };
}
