import { TOPIC_ROOT, TOPIC_VERSION } from '@steppelink/protocols';

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
  /** QoS 1 messages the broker may have in flight to this hub unacknowledged (MQTT 5 Receive Maximum) */
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

/** The filters a hub consumes, as shared subscriptions: devices' up topics and workers' acks. */
export function sharedFilters(group: string): string[] {
  const root = `${TOPIC_ROOT}/${TOPIC_VERSION}`;
  return [`$share/${group}/${root}/+/+`, `$share/${group}/${root}/worker/+/ack`];
}
