import mqtt from 'mqtt';
import type { ConnectionFactory } from './port.ts';

/** SUBACK return code for a refused subscription [MQTT-3.9.3-1]. */
const SUBACK_FAILURE = 128;

/**
 * Default connection factory: one mqtt.js client per attempt, with mqtt.js' own reconnect
 * turned off (reconnectPeriod 0) because the supervisor reconnects with backoff and failover.
 */
export const mqttConnectionFactory: ConnectionFactory = (url, options, handlers) => {
  const client = mqtt.connect(url, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    clean: options.clean,
    reconnectPeriod: 0, // the supervisor owns reconnects
    connectTimeout: options.connectTimeoutMs,
    keepalive: options.keepaliveS,
    resubscribe: false, // the supervisor subscribes on every CONNACK
    protocolVersion: 4,
    // mqtt-packet otherwise pre-builds 65,536 two-byte Buffers for packet ids: 6 MB of heap,
    // a tenth of the Pi budget, to save an allocation per publish.
    writeCache: false,
  });
  let lastError = 'connection closed';
  let closed = false;
  client.on('connect', (connack) => handlers.connect(connack.sessionPresent === true));
  client.on('message', (topic, payload) => handlers.message(topic, payload));
  client.on('error', (error) => {
    lastError = error.message;
  });
  client.on('close', () => {
    if (closed) return;
    closed = true;
    handlers.close(lastError);
  });
  return {
    publish(topic, payload, done) {
      client.publish(
        topic,
        Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
        { qos: 1 },
        (e) => done(e ?? undefined),
      );
    },
    subscribe(topics, done) {
      client.subscribe([...topics], { qos: 1 }, (e, granted) => {
        if (e) return done(e);
        const refused = (granted ?? []).filter((g) => g.qos === SUBACK_FAILURE).map((g) => g.topic);
        done(refused.length > 0 ? new Error(`subscription refused for ${refused.join(', ')}`) : undefined);
      });
    },
    end: () =>
      new Promise<void>((resolve) => {
        client.end(true, {}, () => resolve());
      }),
  };
};
