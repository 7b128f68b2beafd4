import type { Publisher } from '../context.ts';
import type { Broker } from './broker.ts';
import { SubscriberIndex } from './sessions.ts';

/**
 * Downlink through the embedded broker. aedes queues QoS 1 messages for offline clients with a
 * persistent session (clean=false) that subscribed to the topic, and delivers them on reconnect.
 * `hasSubscriber` says beforehand whether anybody would receive a message; `onDelivered` reports
 * each PUBACK of a message queued for a persistent session (aedes' `ack` event, which carries
 * the original packet back from the persistence).
 */
export function brokerPublisher(broker: Broker): Publisher {
  const subscribers = new SubscriberIndex(broker.aedes);
  return {
    publish(topic, payload, opts = {}) {
      return new Promise<void>((resolve, reject) => {
        broker.aedes.publish(
          { cmd: 'publish', topic, payload, qos: opts.qos ?? 1, retain: opts.retain ?? false, dup: false },
          (err?: Error | null) => (err ? reject(err) : resolve()),
        );
      });
    },
    isConnected: (clientId) => broker.isConnected(clientId),
    hasSubscriber: (topic) => subscribers.hasSubscriber(topic),
    onDelivered(fn) {
      broker.aedes.on('ack', (packet, client) => {
        const p = packet as { topic?: string; payload?: Buffer | string } | undefined;
        if (!p?.topic || !client) return;
        const payload = typeof p.payload === 'string' ? Buffer.from(p.payload) : p.payload;
        if (payload) fn(client.id, p.topic, payload);
      });
    },
  };
}
