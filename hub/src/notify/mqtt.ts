import { MAX_PAYLOAD_BYTES, workerAlertTopic } from '@steppelink/protocols';
import type { Publisher } from '../context.ts';
import type { Notifier, Outcome, PageContent, Recipient } from './port.ts';

interface MqttPayload {
  topic: string;
  message: unknown;
}

/**
 * The worker's phone: an `alert` on `sl/v1/worker/{personId}/alert`, QoS 1. With nobody
 * subscribed to that topic (no connected session, no persistent one) the outcome is
 * `no-listener` and nothing is published; otherwise `queued`, and the phone's PUBACK later makes
 * the row `delivered` (see the incidents module). The worker's acknowledgement (API or
 * `worker-ack`) is what proves a person read it.
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
        return {
          status: 'failed',
          error: `alert is ${bytes.byteLength} bytes; the limit is ${MAX_PAYLOAD_BYTES}`,
        };
      }
      return publishToSession(publisher, p.topic, bytes);
    },
  };
}

/**
 * Publishes at QoS 1 when some session would receive it: `queued` (the broker holds it for that
 * session until its PUBACK), `no-listener` when nobody is subscribed (nothing is published),
 * `retry` when the broker refused it. Only the addressee may subscribe to these topics (ACL).
 */
export async function publishToSession(publisher: Publisher, topic: string, bytes: Buffer): Promise<Outcome> {
  try {
    if (publisher.hasSubscriber && !(await publisher.hasSubscriber(topic))) return { status: 'no-listener' };
    await publisher.publish(topic, bytes, { qos: 1 });
    return { status: 'queued' };
  } catch (e) {
    return { status: 'retry', error: (e as Error).message };
  }
}
