/**
 * The MQTT connection port. One Connection is one network session attempt; the supervisor
 * (supervisor.ts) creates a new one per attempt and owns reconnects. The default adapter wraps
 * mqtt.js (mqtt.ts); the simulator or tests may pass their own factory.
 */
export interface ConnectOptions {
  /** Stable client id (= device id) so the broker keeps the session while we are away. */
  clientId: string;
  username: string;
  password: string;
  /** Always false: a persistent session keeps downlink queued at the broker. */
  clean: false;
  connectTimeoutMs: number;
  keepaliveS: number;
}

export interface ConnectionHandlers {
  /** CONNACK accepted. */
  connect(sessionPresent: boolean): void;
  message(topic: string, payload: Buffer): void;
  /** The session ended or never started; called at most once per connection. */
  close(reason: string): void;
}

export interface Connection {
  /** QoS 1 publish; `done` runs on PUBACK (no error) or failure. */
  publish(topic: string, payload: Uint8Array, done: (error?: Error) => void): void;
  /** QoS 1 subscribe; `done` gets an error naming refused topics. */
  subscribe(topics: readonly string[], done: (error?: Error) => void): void;
  /** Closes the socket now; safe to call more than once. */
  end(): Promise<void>;
}

export type ConnectionFactory = (
  url: string,
  options: ConnectOptions,
  handlers: ConnectionHandlers,
) => Connection;
