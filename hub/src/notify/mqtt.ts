import { MAX_PAYLOAD_BYTES, workerAlertTopic } from '@steppelink/protocols';
import type { Publisher } from '../context.ts';
import type { Notifier, Outcome, PageContent, Recipient } from './port.ts';

interface MqttPayload {
  topic: string;
  message: unknown;
}

/**
 * The worker's phone: an `alert` on `sl/v1/worker/{personId}/alert`, QoS 1. The broker keeps it
 * for a persistent session that is offline, so `sent` means the broker has it; the worker's
 * acknowledgement (API or `worker-ack`) is what proves a person read it.
 */
export function mqttWorkerNotifier(publisher: Publisher): Notifier {
  return {
    channel: 'mqtt',
    render(content: PageContent, to: Recipient): MqttPayload | null {
      if (!content.alert || to.username === null) return null;
      return { topic: workerAlertTopic(to.id), message: content.alert };
    },
    async deliver(payload): Promise<Outcome> {
      const p = payload as MqttPayload;
      // Not validated again here: an SOS page is on its way to a person, and this message was
      // built by the hub's typed content code (engine tests check every alert they see against
      // the schema). What leaves is checked for size, as encode() would.
      const bytes = Buffer.from(JSON.stringify(p.message));
      if (bytes.byteLength > MAX_PAYLOAD_BYTES) {
        return { status: 'failed', error: `alert is ${bytes.byteLength} bytes; the limit is ${MAX_PAYLOAD_BYTES}` };
      }
      try {
        await publisher.publish(p.topic, bytes, { qos: 1 });
        return { status: 'sent' };
      } catch (e) {
        return { status: 'retry', error: (e as Error).message };
      }
    },
  };
}
