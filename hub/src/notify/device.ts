import { downTopic, encode } from '@steppelink/protocols';
import type { Publisher } from '../context.ts';
import { publishToSession } from './mqtt.ts';
import type { Notifier, Outcome } from './port.ts';

export interface DeviceAckPayload {
  deviceId: string;
  message: unknown;
}

/**
 * sos-acks to a household box or tracker: `sl/v1/{deviceId}/down/sos-ack`, QoS 1, `queued` for
 * a session subscribed to it (delivered on its PUBACK), `no-listener` when the box has none: it
 * then gets its open incident's current state once it has subscribed again (incidents module).
 */
export function deviceAckChannel(publisher: Publisher): Notifier {
  return {
    channel: 'device',
    render: () => null, // sos-acks are written by the engine, not rendered per person
    async deliver(payload): Promise<Outcome> {
      const p = payload as DeviceAckPayload;
      const bytes = encode('sos-ack', p.message as never);
      if (!bytes.ok) return { status: 'failed', error: `sos-ack does not encode: ${bytes.error.message}` };
      return publishToSession(publisher, downTopic(p.deviceId, 'sos-ack'), bytes.value);
    },
  };
}
