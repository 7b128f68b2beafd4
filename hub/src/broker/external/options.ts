import { availableParallelism } from 'node:os';
import { TOPIC_ROOT, TOPIC_VERSION } from '@steppelink/protocols';

/** The most consumer connections one hub opens; adopting a dead hub drains this many of its ids. */
export const MAX_CONSUMERS = 16;

/**
 * External broker mode (`STEPPELINK_BROKER=external`): the hub runs no aedes; it is an MQTT 5
 * client of a broker the operator runs (mosquitto, EMQX, VerneMQ), consuming device traffic
 * through shared subscriptions under a stable client id with a persistent session.
 */
export const externalBrokerDefaults = {
  /** share group every hub of one deployment joins: `$share/<group>/sl/v1/…` */
  group: 'steppelink',
  /**
   * How long the broker keeps this hub's session (and keeps queueing its share of the traffic)
   * after the hub is gone: long enough for it to restart, or for a sibling to adopt it.
   */
  sessionExpiryS: 86_400,
  keepaliveS: 30, // a dead hub is noticed by the broker within 1.5 × this
  connectTimeoutMs: 10_000, // no CONNACK by then: the attempt failed (retried with backoff)
  /** at start, a broker that refuses or can't be reached is tried again this long before the hub gives up */
  startTimeoutMs: 30_000,
  /**
   * Consumer connections in the share group (client ids: consumerIds). mqtt.js hands one
   * connection's QoS 1 messages on one at a time (the next after the previous one's PUBACK,
   * which waits for its inbox commit), so this is how many messages the hub has in flight and
   * how many one group commit can carry. 4 per core, at most 8: the hub's event loop is one
   * thread, and past that it is busy anyway (README, bench/scale).
   */
  consumers: Math.min(8, 4 * availableParallelism()),
  /**
   * QoS 1 messages the broker may have in flight to this hub unacknowledged, over all its
   * consumer connections: each advertises its part as its MQTT 5 Receive Maximum (connectionReceiveMaximum).
   */
  receiveMaximum: 1_000,
  reconnectMinMs: 250, // first retry after a lost connection
  reconnectMaxMs: 15_000, // a broker outage is probed at least this often
  /** a downlink publish the broker hasn't acknowledged by then fails (the deliverer retries it) */
  publishTimeoutMs: 10_000,
  maxPendingPublishes: 10_000, // downlink publishes waiting for the broker's PUBACK; past it a publish fails at once
  /** draining an adopted session ends once no message came for this long after its UNSUBACK */
  drainQuietMs: 2_000,
  /** give up a drain that keeps receiving after this long (it is reported, and can be run again) */
  drainMaxMs: 10 * 60_000,
};

export type ExternalBrokerOptions = Partial<typeof externalBrokerDefaults> & {
  /** mqtt://host:1883 or mqtts://host:8883 */
  url: string;
  /** this hub's account at the broker */
  username: string;
  password: string;
  /** stable per hub: the broker keeps this hub's session (and its queued share) under it */
  clientId: string;
  /** client ids of dead hubs whose sessions this hub drains at start, then ends */
  adopt?: readonly string[];
  /** PEM CA bundle for mqtts:// (default: the system's) */
  ca?: Buffer;
};

export type ResolvedExternalOptions = typeof externalBrokerDefaults & ExternalBrokerOptions;

/**
 * The client ids of a hub's consumer connections: its own id, then `id:2`, `id:3`, … (config.ts
 * refuses configured ids ending in `:<number>`, so no hub's id is another hub's consumer).
 */
export function consumerIds(clientId: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? clientId : `${clientId}:${i + 1}`));
}

/** What one consumer connection advertises as its Receive Maximum: its share of the hub's window (at least 1). */
export const connectionReceiveMaximum = (o: { receiveMaximum: number; consumers: number }): number =>
  Math.max(1, Math.ceil(o.receiveMaximum / o.consumers));

/** The filters a hub consumes, as shared subscriptions: devices' up topics, workers' acks and replies. */
export function sharedFilters(group: string): string[] {
  const root = `${TOPIC_ROOT}/${TOPIC_VERSION}`;
  return [
    `$share/${group}/${root}/+/+`,
    `$share/${group}/${root}/worker/+/ack`,
    `$share/${group}/${root}/worker/+/reply`,
  ];
}
