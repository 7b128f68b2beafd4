import type { MessageOf, UpKind } from '@steppelink/protocols';
import type { Hono, Schema } from 'hono';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { ApiEnv } from './api/context.ts';
import type { Clock } from './clock.ts';
import type { HubEvents } from './events.ts';
import type { Logger } from './log.ts';
import type { RejectReason } from './ports.ts';
import type { Registry } from './registry/registry.ts';
import type { Db } from './state/db.ts';
import type { TelemetryStore } from './telemetry/port.ts';

/** An upstream message that passed topic ACL and schema checks and was durably accepted (inbox). */
/** What a person's phone publishes under `sl/v1/worker/{personId}/…`: acks, and its side of an SOS conversation. */
export type WorkerKind = 'worker-ack' | 'worker-reply';
export interface Accepted<K extends UpKind | WorkerKind = UpKind> {
  /** Inbox sequence number: increasing in acceptance order. */
  seq: number;
  /** Device id for upstream kinds; the person id for a person's kinds ('worker-ack', 'worker-reply'). */
  deviceId: string;
  kind: K;
  msg: MessageOf<K>;
  /** Hub time the message was accepted (ms); `msg.ts` is the source time. */
  receivedAt: number;
}

export type AcceptedHandler<K extends UpKind | WorkerKind> = (m: Accepted<K>) => Promise<void> | void;
export type AcceptedHandlers = { [K in UpKind | WorkerKind]?: AcceptedHandler<K> };

/** Downlink through the broker (embedded aedes, or an external broker's client). */
export interface Publisher {
  /** Resolves once the broker has taken the message (queued for offline persistent sessions too). */
  publish(topic: string, payload: Buffer, opts?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  /** Is this device (client id) connected right now? */
  isConnected(clientId: string): boolean;
  /**
   * Whether some session would receive `topic` at QoS 1: a connected client subscribed to it, or
   * a persistent session (online or not: the broker queues for it). Absent: the broker can't
   * tell (then a publish counts as queued).
   */
  hasSubscriber?(topic: string): Promise<boolean>;
  /** Calls `fn` for every PUBACK of a QoS 1 message the hub published to a persistent session. */
  onDelivered?(fn: (clientId: string, topic: string, payload: Buffer) => void): void;
}

export interface ComponentHealth {
  state: 'up' | 'degraded' | 'down';
  [detail: string]: unknown;
}

/** What every hub module gets at start. */
export interface HubContext {
  db: Db;
  registry: Registry;
  telemetry: TelemetryStore;
  publisher: Publisher;
  events: HubEvents;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  dataDir: string;
  /** Dead-letters input refused outside the broker (e.g. a forged SMS), in the hub's dead-letter table. */
  recordReject?(
    reason: RejectReason,
    topic: string,
    deviceId: string | null,
    clientId: string | null,
    detail: string,
  ): void;
}

/**
 * A feature of the hub (incidents, rules, broadcast...). createHub starts modules in order after
 * the stores and before the broker accepts connections, dispatches accepted messages to their
 * handlers (awaited before a message is marked processed), mounts their routes under /api, and
 * closes them in reverse order.
 */
export interface HubModule {
  name: string;
  start(ctx: HubContext): Promise<void> | void;
  handlers?: AcceptedHandlers;
  /**
   * The module's routes, a sub-app the API mounts on its authenticated app (paths relative to
   * /api). Built when the module is made and typed by its chained routes, so they reach
   * `AppType` and the dashboard's typed client; handlers reach the started module lazily.
   */
  routes?: Hono<ApiEnv, Schema, '/'>;
  /**
   * Routes without a session (paths from the root, outside /api): for machines that prove
   * themselves otherwise, e.g. an SMS gateway's signed webhook. Deny by default inside them.
   */
  publicRoutes?: Hono;
  /**
   * Called when a device has just proved its secret at MQTT CONNECT: the only moment the hub holds
   * it in the clear (it stores an HMAC verifier). Must be quick and must not keep the secret.
   */
  onDeviceSecret?(deviceId: string, secret: string): void;
  /** Called when a device connects (after auth); e.g. to resend pending notices or the latest sos-ack. */
  onDeviceConnected?(deviceId: string): Promise<void> | void;
  /**
   * Called when a device's subscriptions were granted (on every connect the edge agent
   * subscribes again). Downlink sent here reaches even a first-time device, whose session had no
   * subscriptions at connect time.
   */
  onDeviceSubscribed?(
    deviceId: string,
    topics: readonly string[],
    session?: { clean: boolean },
  ): Promise<void> | void;
  /**
   * Last check before the broker hands a message on a hub-published topic to one subscriber,
   * including messages queued for a persistent session while it was offline: return false to
   * withhold it (e.g. a notice that expired meanwhile).
   */
  forwardFilter?(clientId: string, topic: string, payload: Buffer): boolean;
  health?(): ComponentHealth;
  close(): Promise<void> | void;
}
