import { DOWN_KINDS, type ParsedTopic, TOPIC_ROOT, TOPIC_VERSION, parseTopic } from '@steppelink/protocols';

/** Who a connected MQTT client is, fixed at CONNECT (registry changes apply on the next connect). */
export type Identity =
  | {
      type: 'device';
      deviceId: string;
      /** units whose notices the device receives: its grid (or team unit) and every ancestor */
      units: ReadonlySet<string>;
    }
  | { type: 'person'; personId: string; username: string };

const PREFIX = `${TOPIC_ROOT}/${TOPIC_VERSION}/`;
const DOWN_LEAVES: ReadonlySet<string> = new Set<string>(['#', '+', ...DOWN_KINDS]);

/**
 * Deny by default. A device publishes only `sl/v1/{ownId}/{upKind}` (its SOS conversation,
 * `sos-reply`, included: the incidents module checks the incident it names is its own); a person publishes only
 * `sl/v1/worker/{ownId}/ack` and `…/reply` (its side of an SOS conversation). Everything else is refused (acknowledged and dropped by the broker).
 */
export function mayPublish(who: Identity, topic: ParsedTopic): boolean {
  if (who.type === 'device') return topic.type === 'up' && topic.deviceId === who.deviceId;
  return (topic.type === 'worker-ack' || topic.type === 'worker-reply') && topic.workerId === who.personId;
}

/**
 * A device may subscribe to its own `down/#`, `down/+` or one `down/{kind}`, and to the notice
 * topic of each unit it belongs to; a person only to their own alert topic. No other wildcards.
 */
export function maySubscribe(who: Identity, filter: string): boolean {
  if (who.type === 'person') return filter === `${PREFIX}worker/${who.personId}/alert`;
  const own = `${PREFIX}${who.deviceId}/down/`;
  if (filter.startsWith(own)) return DOWN_LEAVES.has(filter.slice(own.length));
  const parsed = parseTopic(filter);
  return parsed.ok && parsed.value.type === 'unit-notice' && who.units.has(parsed.value.unitId);
}

/** May this client receive a message on `topic`? (Checked again on delivery: defence in depth.) */
export function mayReceive(who: Identity, topic: string): boolean {
  const parsed = parseTopic(topic);
  if (!parsed.ok) return false;
  const t = parsed.value;
  if (who.type === 'person') return t.type === 'worker-alert' && t.workerId === who.personId;
  if (t.type === 'down') return t.deviceId === who.deviceId;
  return t.type === 'unit-notice' && who.units.has(t.unitId);
}
