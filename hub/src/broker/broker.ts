import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ID_MAX_LENGTH } from '@steppelink/protocols';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from '../log.ts';
import type { HubMetrics } from '../metrics.ts';
import type { RejectReason } from '../ports.ts';
import type { Registry } from '../registry/registry.ts';
import { type Identity, mayReceive, maySubscribe } from './acl.ts';
import { normalizeAddress } from '../auth/guard.ts';
import { type AuthOptions, Authenticator, CONNACK } from './auth.ts';
import { skipEmitOf, skipOfflineLookupOf } from './aedes-patches.ts';
import { type ConnectState, wireClientEvents } from './client-events.ts';
import { guardPacketSize } from './packet-guard.ts';
import { isWorkerAlertTopic } from './sos-topics.ts';
import { deliverUrgentAtOnce } from './urgent-delivery.ts';

export const brokerDefaults = {
  maxPacketBytes: 256 * 1024, // larger packets close the connection unread; smaller oversize payloads are acked and dead-lettered
  connectTimeoutMs: 10_000, // a socket that hasn't sent CONNECT by then is dropped (unauthenticated sockets cost memory)
  drainTimeoutMs: 5_000, // a client that doesn't read its socket for this long is dropped, not waited on
  concurrency: 100, // aedes/mqemitter deliveries in flight; one frozen subscriber can't hold more than this
  maxTopicLevels: 8, // our deepest topic has 5 levels (sl/v1/{id}/down/{kind}); refuse deeper before matching
  maxInflightInbound: 100, // inbound QoS 2 messages awaiting PUBREL per client (devices use QoS 1)
  queueLimit: 42, // packets a client may send before its CONNACK (aedes default)
  keepaliveLimitS: 0, // no upper bound: devices on metered links use long keepalives
  /**
   * A client that declares keepalive 0 ("no keepalive") is held as if it declared this many
   * seconds: silent for 1.5× as long (15 min) it is dropped, so dead sockets don't accumulate.
   */
  keepaliveZeroAsS: 600,
  /** MQTT over WebSocket: take the client address from `X-Forwarded-For` (only behind a reverse proxy you run) */
  trustProxy: false,
  heartbeatIntervalMs: 60_000, // aedes $SYS heartbeat (and will sweep) interval
};
/** What aedes 1.2 needs of a persistence (the async API of aedes-persistence 11); `dropped` if it bounds queues. */
export interface BrokerPersistence {
  setup(broker: unknown): Promise<void>;
  dropped?: number;
}
export type BrokerOptions = Partial<typeof brokerDefaults> & {
  auth?: AuthOptions;
  /** Sessions, offline queues, wills, retained messages. Default: aedes' in-memory one (lost on exit); createHub passes SqlitePersistence. */
  persistence?: BrokerPersistence;
};

/** Where the broker hands what it hears. Implemented by ingest and presence (wired in createHub). */
export interface BrokerHooks {
  offer(
    who: Identity | null,
    clientId: string | null,
    topic: string,
    payload: Buffer,
    done: (err?: Error | null) => void,
  ): void;
  recordReject(
    reason: RejectReason,
    topic: string,
    deviceId: string | null,
    clientId: string | null,
    detail: string,
    /** Called once the dead letter is committed (or with the error): an ack that waits for it tells the truth. */
    done?: (err?: Error | null) => void,
  ): void;
  deviceConnected(deviceId: string): void;
  /** A device's subscriptions were granted (topics as granted); `clean`: its session keeps nothing. */
  deviceSubscribed?(deviceId: string, topics: string[], session: { clean: boolean }): void;
  /** Last check before a hub-published message goes to one client (also from an offline queue); false withholds it. */
  forwardFilter?(clientId: string, topic: string, payload: Buffer): boolean;
  deviceDisconnected(deviceId: string, reason: string): void;
  deviceHeard(deviceId: string): void;
}

/** Client-originated publishes end in ingest; aedes then routes them to this topic nobody can subscribe to. */
export const INGESTED_TOPIC = '$SL/ingested';
const EMPTY = Buffer.alloc(0);
/** A worker's SOS alert is written without aedes' setImmediate hop (see urgent-delivery.ts). */
export const isUrgentTopic = isWorkerAlertTopic;

/**
 * The embedded aedes broker with SteppeLink's authentication, deny-by-default ACL and the ingest
 * hook. Transport-agnostic: `handle(stream, req)` serves TCP, TLS and WebSocket streams alike.
 */
export class Broker {
  readonly aedes: Aedes;
  readonly auth: Authenticator;
  private readonly o: typeof brokerDefaults;
  private readonly persistence: BrokerPersistence | undefined;
  private readonly conns = new WeakMap<Client, ConnectState>();
  private closed = false;
  guardInstalled = true;

  constructor(
    registry: Registry,
    private readonly hooks: BrokerHooks,
    private readonly metrics: HubMetrics,
    private readonly log: Logger,
    options: BrokerOptions = {},
  ) {
    this.o = { ...brokerDefaults, ...options };
    this.auth = new Authenticator(registry, options.auth);
    this.persistence = options.persistence;
    this.aedes = new Aedes({
      ...(this.persistence ? { persistence: this.persistence } : {}),
      concurrency: this.o.concurrency,
      connectTimeout: this.o.connectTimeoutMs,
      drainTimeout: this.o.drainTimeoutMs,
      heartbeatInterval: this.o.heartbeatIntervalMs,
      maxTopicLevels: this.o.maxTopicLevels,
      maxInflightInbound: this.o.maxInflightInbound,
      maxClientsIdLength: ID_MAX_LENGTH,
      queueLimit: this.o.queueLimit,
      keepaliveLimit: this.o.keepaliveLimitS,
      preConnect: (client, packet, cb) => {
        const address = this.conns.get(client)?.address;
        this.conns.set(client, {
          rawClientId: packet.clientId ?? '',
          ...(address ? { address } : {}),
          ...(packet.keepalive === 0 ? { keepaliveZero: true } : {}),
        });
        // aedes then arms its own keepalive timer [MQTT-3.1.2-24] (refreshed by every packet)
        if (packet.keepalive === 0) packet.keepalive = this.o.keepaliveZeroAsS;
        deliverUrgentAtOnce(client, isUrgentTopic);
        cb(null, true);
      },
      authenticate: (client, username, password, cb) => this.authenticate(client, username, password, cb),
      authorizePublish: (client, packet, cb) => this.authorizePublish(client, packet, cb),
      authorizeSubscribe: (client, sub, cb) => {
        const who = this.conns.get(client)?.identity;
        if (!who || !maySubscribe(who, sub.topic)) {
          this.log.info({ clientId: client.id, topic: sub.topic }, 'subscription refused (SUBACK 0x80)');
          return cb(null, null);
        }
        cb(null, sub.qos > 1 ? { ...sub, qos: 1 } : sub);
      },
      authorizeForward: (client, packet) => {
        if ((packet as { clientId?: string }).clientId) return null; // only the hub speaks downstream
        const who = this.conns.get(client)?.identity;
        if (!who || !mayReceive(who, packet.topic)) return null;
        const filter = this.hooks.forwardFilter;
        return !filter || filter(client.id, packet.topic, packet.payload as Buffer) ? packet : null;
      },
    });
    metrics.connections(() => this.clientCount);
    skipEmitOf(this.aedes, INGESTED_TOPIC);
    wireClientEvents(this.aedes, this.conns, this.hooks, this.log);
  }

  async start(): Promise<void> {
    await this.aedes.listen();
    skipOfflineLookupOf(this.aedes, INGESTED_TOPIC);
  }

  get maxPacketBytes(): number {
    return this.o.maxPacketBytes;
  }

  /** Messages dropped from full offline queues since start (never SOS); 0 with aedes' unbounded in-memory persistence. */
  get queueDrops(): number {
    return this.persistence?.dropped ?? 0;
  }

  get clientCount(): number {
    return this.aedes.connectedClients ?? 0;
  }

  /** Serves one connection (TCP, TLS or WebSocket stream). */
  handle = (conn: Duplex, req?: IncomingMessage): void => {
    if (this.closed) {
      conn.destroy();
      return;
    }
    if (conn instanceof Socket) conn.setNoDelay(true);
    const forwarded = this.o.trustProxy ? firstForwarded(req?.headers['x-forwarded-for']) : undefined;
    const address = normalizeAddress(
      conn instanceof Socket ? conn.remoteAddress : (forwarded ?? req?.socket.remoteAddress),
    );
    const client = this.aedes.handle(conn, req);
    this.conns.set(client, { rawClientId: '', address });
    const parser = (client as unknown as { _parser: unknown })._parser;
    if (!guardPacketSize(parser, this.o.maxPacketBytes) && this.guardInstalled) {
      this.guardInstalled = false;
      this.log.warn('mqtt-packet parser internals changed: packet size guard not installed');
    }
  };

  /**
   * Ends every connection of a device whose access was just revoked (disabled, or its secret
   * rotated): it must not go on publishing on an old authentication. Its next CONNECT is checked
   * against the registry as usual. Returns how many connections were closed.
   */
  disconnectDevice(deviceId: string, reason: string): number {
    const clients = (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients;
    let n = 0;
    for (const client of Object.values(clients)) {
      const st = client && this.conns.get(client);
      if (!client || st?.identity?.type !== 'device' || st.identity.deviceId !== deviceId) continue;
      if (!st.reason) st.reason = reason;
      client.close();
      n++;
    }
    if (n > 0) this.log.info({ deviceId, reason, connections: n }, 'device disconnected: access revoked');
    return n;
  }

  isConnected(clientId: string): boolean {
    const c = (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients[clientId];
    return c?.connected === true;
  }

  close(): Promise<void> {
    this.closed = true;
    return new Promise((resolve) => this.aedes.close(() => resolve()));
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    cb: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const st = this.conns.get(client) ?? { rawClientId: client.id };
    this.conns.set(client, st);
    const address = st.address ?? 'unknown';
    this.auth
      .authenticate({ username, password, clientId: st.rawClientId, clean: client.clean, address })
      .then(
        (r) => {
          if (r.ok) {
            st.identity = r.identity;
            if (r.identity.type === 'device') this.markTakeover(r.identity.deviceId);
            return cb(null, true);
          }
          this.metrics.authRefused.inc({ code: String(r.returnCode) });
          // throttled refusals are logged by the attempt guard once per failure, not one line each
          this.log[r.returnCode === CONNACK.serverUnavailable ? 'debug' : 'info'](
            { clientId: st.rawClientId, username, code: r.returnCode, reason: r.reason },
            'connection refused',
          );
          const err = new Error(r.reason) as AuthenticateError;
          err.returnCode = r.returnCode as AuthenticateError['returnCode'];
          cb(err, false);
        },
        (e: unknown) => {
          this.log.error({ err: e, clientId: st.rawClientId }, 'authentication failed with an error');
          const err = new Error('server unavailable') as AuthenticateError;
          err.returnCode = 3 as AuthenticateError['returnCode'];
          cb(err, false);
        },
      );
  }

  private markTakeover(clientId: string): void {
    const old = (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients[clientId];
    const st = old && this.conns.get(old);
    if (st && !st.reason) st.reason = 'takeover';
  }

  private authorizePublish(
    client: Client | null,
    packet: { topic: string; payload: Buffer | string; retain: boolean },
    cb: (err?: Error | null) => void,
  ): void {
    const topic = packet.topic;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    // Nothing a client publishes is routed or retained by aedes: ingest takes it, or records why not.
    packet.topic = INGESTED_TOPIC;
    packet.payload = EMPTY;
    packet.retain = false;
    const st = client ? this.conns.get(client) : undefined;
    const who = st?.identity ?? null;
    if (who?.type === 'device') {
      this.hooks.deviceHeard(who.deviceId);
      if (client && (client as unknown as { will?: unknown }).will === packet && st) st.willSent = true;
    }
    this.hooks.offer(who, client?.id ?? null, topic, payload, cb);
  }
}

/** The client's address as a reverse proxy reports it: the first of `X-Forwarded-For`. */
function firstForwarded(h: string | string[] | undefined): string | undefined {
  const v = (Array.isArray(h) ? h[0] : h)?.split(',')[0]?.trim();
  return v || undefined;
}
