import type { IConnackPacket, IDisconnectPacket } from 'mqtt';
import type { ComponentHealth, Publisher } from '../../context.ts';
import type { Logger } from '../../log.ts';
import { backoffDelayMs } from '../../telemetry/backoff.ts';
import type { BrokerHooks } from '../broker.ts';
import { type AdoptionReport, drainSession } from './drain.ts';
import { type IdentityRegistry, senderOf } from './identity.ts';
import {
  type ExternalBrokerOptions,
  externalBrokerDefaults,
  type ResolvedExternalOptions,
  sharedFilters,
} from './options.ts';
import { externalPublisher, type PublishCounts } from './publisher.ts';
import { type Consume, ConsumerConnection, connackReason, SESSION_TAKEN_OVER } from './session.ts';

/** What the external consumer hands on: the same hooks the embedded broker calls (ingest, presence). */
export type ExternalHooks = Pick<BrokerHooks, 'offer' | 'recordReject' | 'deviceHeard'>;

type State = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed';

/**
 * The hub as a client of an external MQTT 5 broker. It consumes `sl/v1/{device}/{kind}` and
 * `sl/v1/worker/{id}/ack` through shared subscriptions (`$share/<group>/…`) under a stable client
 * id with a persistent session, hands each message to ingest exactly as the embedded broker does,
 * and acknowledges it only after its inbox commit. Downlink goes out through `publisher` on the
 * same connection. At start it also drains the sessions of dead hubs named in `adopt`.
 *
 * Exactly-once effects come from the store: the broker may deliver a message again (after a
 * restart, a takeover, a dropped connection), and the inbox's (sender, id) key stores it once.
 */
export class ExternalBroker {
  readonly publisher: Publisher;
  private readonly o: ResolvedExternalOptions;
  private conn: ConsumerConnection | undefined;
  private state: State = 'idle';
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly adoptions = new Map<string, AdoptionReport>();
  private drains: Promise<unknown>[] = [];
  private readonly publishes: PublishCounts = { pending: 0, failed: 0 };
  consumed = 0;
  unrecorded = 0;
  connects = 0;
  lastError: string | undefined;

  constructor(
    private readonly registry: IdentityRegistry,
    private readonly hooks: ExternalHooks,
    private readonly log: Logger,
    options: ExternalBrokerOptions,
  ) {
    this.o = { ...externalBrokerDefaults, ...options };
    this.publisher = externalPublisher(() => this.conn?.client, this.o, this.publishes);
  }

  get clientId(): string {
    return this.o.clientId;
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
        break;
      } catch (err) {
        if (Date.now() >= deadline) {
          this.state = 'closed';
          throw err;
        }
        this.log.warn(
          { err: (err as Error).message },
          'the MQTT broker is not ready for the hub yet; trying again',
        );
        await new Promise((r) => setTimeout(r, this.reconnectDelay(attempt)));
      }
    }
    for (const id of this.o.adopt ?? []) this.adopt(id);
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

  /**
   * Drains the session a dead hub left under `clientId`: connects with that id (clean start
   * off), unsubscribes its shared filters so the broker gives it nothing new, records and
   * acknowledges what the broker had queued or in flight for it, then ends the session (session
   * expiry 0) so the share group is served by the live hubs only.
   */
  adopt(clientId: string): Promise<AdoptionReport> {
    const report: AdoptionReport = { clientId, state: 'draining', drained: 0 };
    this.adoptions.set(clientId, report);
    const p = drainSession(this.o, clientId, this.consume, report, this.log).catch((err: Error) => {
      report.state = 'failed';
      report.error = err.message;
      this.log.error({ err, clientId }, 'adopting a dead hub session failed');
      return report;
    });
    this.drains.push(p);
    return p;
  }

  /** Adoption reports, by adopted client id. */
  adopted(): AdoptionReport[] {
    return [...this.adoptions.values()];
  }

  health(): ComponentHealth {
    const up = this.state === 'connected';
    return {
      state: up ? 'up' : this.state === 'reconnecting' ? 'degraded' : 'down',
      mode: 'external',
      url: this.o.url,
      clientId: this.o.clientId,
      group: this.o.group,
      connection: this.state,
      consumed: this.consumed,
      unrecorded: this.unrecorded,
      connects: this.connects,
      pendingPublishes: this.publishes.pending,
      failedPublishes: this.publishes.failed,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.adoptions.size > 0 ? { adopted: this.adopted() } : {}),
    };
  }

  /** Ends the connection; the broker keeps the session (and queues this hub's share) until it comes back. */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.state = 'closing';
    clearTimeout(this.retryTimer);
    await Promise.all(this.drains);
    const c = this.conn?.client;
    this.conn = undefined;
    if (c) await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
    this.state = 'closed';
  }

  private readonly consume: Consume = (topic, payload, ack) => {
    senderOf(this.registry, topic).then(
      (s) => {
        this.consumed++;
        if (!s.ok) {
          // acknowledged: a dead letter is kept for inspection, not worth a redelivery loop
          this.hooks.recordReject(s.reason, topic, s.deviceId, null, s.detail);
          ack(true);
          return;
        }
        if (s.who?.type === 'device') this.hooks.deviceHeard(s.who.deviceId);
        const clientId = s.who?.type === 'device' ? s.who.deviceId : null;
        this.hooks.offer(s.who, clientId, topic, payload, (err) => {
          if (err) this.unrecorded++;
          ack(!err);
        });
      },
      (err: Error) => {
        this.unrecorded++;
        this.log.error({ err, topic }, 'registry lookup failed; the message will come again');
        ack(false);
      },
    );
  };

  private open(): ConsumerConnection {
    const conn = new ConsumerConnection(this.o.url, this.o, this.o.clientId, this.consume, () =>
      this.drop('a message could not be recorded'),
    );
    this.conn = conn;
    const c = conn.client;
    c.on('connect', (ack: IConnackPacket) => this.connected(conn, ack));
    c.on('disconnect', (p: IDisconnectPacket) => {
      if (p.reasonCode === SESSION_TAKEN_OVER) {
        this.lastError = `session ${this.o.clientId} taken over by another connection`;
        this.log.error(
          { clientId: this.o.clientId },
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
      { url: this.o.url, clientId: this.o.clientId, sessionPresent: ack.sessionPresent },
      'connected to the MQTT broker',
    );
    // Renewed on every CONNACK: a broker that lost the session (restarted without persistence,
    // expired it) starts queueing this hub's share again at once.
    const subs = Object.fromEntries(sharedFilters(this.o.group).map((f) => [f, { qos: 1 as const }]));
    conn.client.subscribe(subs, (err, granted) => {
      const refused = (granted ?? []).filter((g) => g.qos > 2);
      if (err || refused.length > 0) {
        this.lastError = err
          ? err.message
          : `subscription refused: ${refused.map((g) => g.topic).join(', ')}`;
        this.log.error(
          { err, refused },
          'the broker refused the hub its shared subscriptions (check its ACL)',
        );
      }
    });
  }

  private drop(why: string): void {
    this.log.warn({ why }, 'dropping the broker connection; unacknowledged messages come again');
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
