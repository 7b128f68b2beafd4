import type { MqttClient } from 'mqtt';
import type { Publisher } from '../../context.ts';
import type { ResolvedExternalOptions } from './options.ts';

export interface PublishCounts {
  /** publishes waiting for the broker's PUBACK */
  pending: number;
  /** publishes that failed (not connected, too many pending, no PUBACK in time, refused) */
  failed: number;
}

/**
 * Downlink (pages to workers' phones, sos-acks and notices to boxes) through the external
 * broker, on the hub's own connection, QoS 1: `publish` resolves on the broker's PUBACK, i.e.
 * once the broker has taken the message. It fails at once while the hub is not connected or
 * `maxPendingPublishes` are already waiting, and after `publishTimeoutMs` without a PUBACK; the
 * callers (deliverer, notices) retry with their own backoff, and receivers know a message id
 * they already have.
 *
 * What the hub cannot see through another broker: whether a device is connected, whether some
 * session subscribed to a topic (`hasSubscriber` is absent, so a page counts as `queued` once
 * the broker took it) and the receivers' PUBACKs (`onDelivered` is absent: a page becomes
 * `delivered` only when the worker acknowledges it, and the SMS fallback runs as if the phone
 * never answered).
 */
export function externalPublisher(
  client: () => MqttClient | undefined,
  o: ResolvedExternalOptions,
  counts: PublishCounts,
): Publisher {
  return {
    publish(topic, payload, opts = {}) {
      const c = client();
      if (!c?.connected) {
        counts.failed++;
        return Promise.reject(new Error('not connected to the MQTT broker'));
      }
      if (counts.pending >= o.maxPendingPublishes) {
        counts.failed++;
        return Promise.reject(
          new Error(`${counts.pending} publishes already wait for the broker's acknowledgement`),
        );
      }
      counts.pending++;
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        const settle = (err?: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          counts.pending--;
          if (err) {
            counts.failed++;
            reject(err);
          } else resolve();
        };
        const timer = setTimeout(
          () => settle(new Error(`the broker did not acknowledge within ${o.publishTimeoutMs} ms`)),
          o.publishTimeoutMs,
        );
        c.publish(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false }, (err, packet) => {
          const code = (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
          if (err) settle(err);
          // MQTT 5 PUBACK 0x10 "no matching subscribers" is still a success: the broker took it
          else if (code >= 0x80) settle(new Error(`the broker refused the publish (reason code ${code})`));
          else settle();
        });
      });
    },
    isConnected: () => false, // device connections are the broker's; the hub does not see them
  };
}
