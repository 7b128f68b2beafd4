import type { IConnackPacket, IDisconnectPacket, MqttClient } from 'mqtt';
import type { Logger } from '../../log.ts';
import { backoffDelayMs } from '../../telemetry/backoff.ts';
import { type ResolvedExternalOptions, sharedFilters } from './options.ts';
import { type Consume, ConsumerConnection, connackReason, SESSION_TAKEN_OVER } from './session.ts';

export type LinkState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed';

/**
 * One of a hub's consumer connections (consumer.ts opens `consumers` of them): a stable client id
 * with its persistent session, its shared subscriptions renewed on every CONNACK, and its own
 * reconnect backoff with jitter. A lost connection is opened again under the same id, so the
 * broker hands the session's queued and in-flight messages back to it.
 */
export class ConsumerLink {
  state: LinkState = 'idle';
  connects = 0;
  lastError: string | undefined;
  private conn: ConsumerConnection | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly clientId: string,
    private readonly o: ResolvedExternalOptions,
    private readonly consume: Consume,
    private readonly log: Logger,
  ) {}

  get client(): MqttClient | undefined {
    return this.conn?.client;
  }

  /**
   * Connects, subscribes and resolves on the first CONNACK. A broker that refuses or can't be
   * reached is tried again with backoff for `startTimeoutMs` (it may be starting, or reloading
   * the files that list this hub); then start() rejects with what the broker said.
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`external broker: start() called in state '${this.state}'`);
    this.state = 'connecting';
    const deadline = Date.now() + this.o.startTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.firstConnect();
        return;
      } catch (err) {
        if (Date.now() >= deadline || this.state !== 'connecting') {
          this.state = 'closed';
          throw err;
        }
        this.log.warn(
          { err: (err as Error).message, clientId: this.clientId },
          'the MQTT broker is not ready for the hub yet; trying again',
        );
        await new Promise((r) => setTimeout(r, this.reconnectDelay(attempt)));
      }
    }
  }

  /** Ends the connection; the broker keeps the session (and queues its share) until it comes back. */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.state = 'closing';
    clearTimeout(this.retryTimer);
    const c = this.conn?.client;
    this.conn = undefined;
    if (c) await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
    this.state = 'closed';
  }

  private firstConnect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const conn = this.open();
      const fail = (why: string) => {
        conn.client.removeAllListeners('connect');
        conn.client.end(true);
        reject(new Error(`cannot use the MQTT broker at ${this.o.url} as ${this.o.username}: ${why}`));
      };
      const onError = (err: Error & { code?: unknown }) =>
        fail(typeof err.code === 'number' ? connackReason(err.code) : err.message);
      const onClose = () => fail('the connection closed before CONNACK');
      conn.client.once('connect', () => {
        conn.client.removeListener('error', onError);
        conn.client.removeListener('close', onClose);
        resolve();
      });
      conn.client.once('error', onError);
      conn.client.once('close', onClose);
    });
  }

  private open(): ConsumerConnection {
    const conn = new ConsumerConnection(this.o.url, this.o, this.clientId, this.consume, () =>
      this.drop('a message could not be recorded'),
    );
    this.conn = conn;
    const c = conn.client;
    c.on('connect', (ack: IConnackPacket) => this.connected(conn, ack));
    c.on('disconnect', (p: IDisconnectPacket) => {
      if (p.reasonCode === SESSION_TAKEN_OVER) {
        this.lastError = `session ${this.clientId} taken over by another connection`;
        this.log.error(
          { clientId: this.clientId },
          'another connection took this hub session over (a sibling adopting it, or two hubs with one client id?)',
        );
      }
    });
    c.on('error', (err: Error & { code?: unknown }) => {
      this.lastError = typeof err.code === 'number' ? connackReason(err.code) : err.message;
    });
    c.on('close', () => {
      if (this.conn !== conn || this.state === 'closing' || this.state === 'closed') return;
      if (this.state === 'connecting') return; // start() reports it
      this.state = 'reconnecting';
      this.scheduleReconnect();
    });
    return conn;
  }

  private connected(conn: ConsumerConnection, ack: IConnackPacket): void {
    if (this.conn !== conn) return;
    this.state = 'connected';
    this.attempt = 0;
    this.connects++;
    this.lastError = undefined;
    this.log.info(
      { url: this.o.url, clientId: this.clientId, sessionPresent: ack.sessionPresent },
      'connected to the MQTT broker',
    );
    // Renewed on every CONNACK: a broker that lost the session (restarted without persistence,
    // expired it) starts queueing this connection's share again at once.
    const subs = Object.fromEntries(sharedFilters(this.o.group).map((f) => [f, { qos: 1 as const }]));
    conn.client.subscribe(subs, (err, granted) => {
      const refused = (granted ?? []).filter((g) => g.qos > 2);
      if (err || refused.length > 0) {
        this.lastError = err
          ? err.message
          : `subscription refused: ${refused.map((g) => g.topic).join(', ')}`;
        this.log.error(
          { err, refused, clientId: this.clientId },
          'the broker refused the hub its shared subscriptions (check its ACL)',
        );
      }
    });
  }

  private drop(why: string): void {
    this.log.warn(
      { why, clientId: this.clientId },
      'dropping the broker connection; unacknowledged messages come again',
    );
    this.conn?.client.end(true);
  }

  private reconnectDelay(attempt: number): number {
    return backoffDelayMs(
      attempt,
      {
        minDelayMs: this.o.reconnectMinMs,
        maxDelayMs: this.o.reconnectMaxMs,
        factor: 2,
        jitterRatio: 0.5,
        maxRetryAfterMs: this.o.reconnectMaxMs,
      },
      Math.random,
    );
  }

  private scheduleReconnect(): void {
    this.attempt++;
    const wait = this.reconnectDelay(this.attempt);
    this.retryTimer = setTimeout(() => {
      if (this.state !== 'reconnecting') return;
      const old = this.conn?.client;
      old?.removeAllListeners();
      old?.on('error', () => {});
      this.open();
    }, wait);
  }
}
