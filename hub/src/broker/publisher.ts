import type { Publisher } from '../context.ts';
import type { Broker } from './broker.ts';

/**
 * Downlink through the embedded broker. aedes queues QoS 1 messages for offline clients with a
 * persistent session (clean=false) that subscribed to the topic, and delivers them on reconnect.
 */
export function brokerPublisher(broker: Broker): Publisher {
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
  };
}
