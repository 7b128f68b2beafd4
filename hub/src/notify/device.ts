import { downTopic, encode } from '@steppelink/protocols';
import type { Publisher } from '../context.ts';
import type { Notifier, Outcome } from './port.ts';

export interface DeviceAckPayload {
  deviceId: string;
  message: unknown;
}

/** sos-acks to a household box or tracker: `sl/v1/{deviceId}/down/sos-ack`, QoS 1. */
export function deviceAckChannel(publisher: Publisher): Notifier {
  return {
    channel: 'device',
    render: () => null, // sos-acks are written by the engine, not rendered per person
    async deliver(payload): Promise<Outcome> {
      const p = payload as DeviceAckPayload;
      const bytes = encode('sos-ack', p.message as never);
      if (!bytes.ok) return { status: 'failed', error: `sos-ack does not encode: ${bytes.error.message}` };
      try {
        await publisher.publish(downTopic(p.deviceId, 'sos-ack'), bytes.value, { qos: 1 });
        return { status: 'sent' };
      } catch (e) {
        return { status: 'retry', error: (e as Error).message };
      }
    },
  };
}
