import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { connectionReceiveMaximum, type ResolvedExternalOptions } from './options.ts';

/**
 * Takes one consumed QoS 1 message; calls `ack(true)` once it is durably recorded (inbox commit
 * or dead letter), `ack(false)` when it is not (then the message must come again).
 */
export type Consume = (topic: string, payload: Buffer, ack: (ok: boolean) => void) => void;

/** The broker refused CONNECT (MQTT 5 reason codes of CONNACK, section 3.2.2.2). */
const CONNACK_REASONS: Record<number, string> = {
  133: 'client identifier not valid',
  134: 'bad user name or password',
  135: 'not authorized',
  136: 'server unavailable',
  137: 'server busy',
  138: 'banned',
  140: 'bad authentication method',
};
export const connackReason = (code: number): string => CONNACK_REASONS[code] ?? `reason code ${code}`;

/** MQTT 5 DISCONNECT reason 0x8E: another connection took this client id's session over. */
export const SESSION_TAKEN_OVER = 0x8e;

/**
 * One consuming connection under `clientId`: MQTT 5, clean start off and a session expiry, so
 * the broker keeps the session — subscriptions, queued and in-flight messages — while the hub
 * is away. Each QoS 1 message is acknowledged (PUBACK) through mqtt.js' `customHandleAcks` only
 * when `consume` says it is recorded. mqtt.js hands messages on one at a time (it waits for each
 * acknowledgement before it handles the next packet; consumer.ts opens several connections for
 * that reason), so the broker's Receive Maximum bounds what waits in this connection's buffer
 * and the socket applies the backpressure.
 *
 * A message that could not be recorded gets no PUBACK and `onUnrecorded` drops the connection;
 * an acknowledgement that comes after its connection was replaced is never sent (its packet id
 * may name another message on the new connection). The broker sends such a message again on
 * the session's next connection (DUP), and the inbox stores it once.
 */
export class ConsumerConnection {
  readonly client: MqttClient;
  /** bumped on every CONNACK and close: acknowledgements of an older connection are dropped */
  private generation = 0;

  constructor(
    url: string,
    o: ResolvedExternalOptions,
    clientId: string,
    consume: Consume,
    onUnrecorded: () => void,
  ) {
    const opts: IClientOptions = {
      protocolVersion: 5,
      clientId,
      clean: false,
      username: o.username,
      password: o.password,
      keepalive: o.keepaliveS,
      connectTimeout: o.connectTimeoutMs,
      reconnectPeriod: 0, // the hub owns its backoff (with jitter): see consumer.ts
      resubscribe: false, // the subscriptions are the session's; the consumer renews them on CONNACK
      properties: { sessionExpiryInterval: o.sessionExpiryS, receiveMaximum: connectionReceiveMaximum(o) },
      ...(o.ca ? { ca: o.ca } : {}),
      customHandleAcks: (topic, message, _packet, cb) => {
        const mine = this.generation;
        consume(topic, message, (ok) => {
          if (mine !== this.generation) return; // that connection is gone: its packet id means nothing now
          if (ok) {
            cb(0);
            return;
          }
          this.generation++;
          onUnrecorded();
        });
      },
    };
    this.client = mqtt.connect(url, opts);
    this.client.on('connect', () => {
      this.generation++;
    });
    this.client.on('close', () => {
      this.generation++;
    });
  }
}
