import { parseTopic } from '@steppelink/protocols';
import type { RejectReason } from '../../ports.ts';
import type { Identity } from '../acl.ts';

type MaybePromise<T> = T | Promise<T>;
/** The registry reads identity needs (awaited: a synchronous registry and an async port both fit). */
export interface IdentityRegistry {
  getDevice(id: string): MaybePromise<{ id: string; enabled: boolean } | undefined>;
  getPerson(id: string): MaybePromise<{ id: string; username: string | null } | undefined>;
}

export type Sender =
  | { ok: true; who: Identity | null }
  | { ok: false; reason: RejectReason; deviceId: string | null; detail: string };

/**
 * Who published a message the hub consumed from an external broker. The broker authenticated
 * the client and enforced the topic ACL (its password/ACL files or the hub's HTTP endpoint), so
 * the topic names the sender: `sl/v1/{deviceId}/{kind}` a device, `sl/v1/worker/{id}/ack` a
 * person. The hub checks again that the device or person is in its registry and, for a device,
 * still enabled (a revocation the broker has not reloaded yet). Any other topic is handed on
 * with no identity, and ingest rejects it as it does for the embedded broker.
 */
export async function senderOf(registry: IdentityRegistry, topic: string): Promise<Sender> {
  const parsed = parseTopic(topic);
  if (!parsed.ok) return { ok: true, who: null };
  const t = parsed.value;
  if (t.type === 'up') {
    const device = await registry.getDevice(t.deviceId);
    if (!device) {
      return {
        ok: false,
        reason: 'unknown_device',
        deviceId: null,
        detail: `device ${t.deviceId} is not in the registry`,
      };
    }
    if (!device.enabled) {
      return { ok: false, reason: 'acl', deviceId: device.id, detail: `device ${device.id} is disabled` };
    }
    return { ok: true, who: { type: 'device', deviceId: device.id, units: new Set<string>() } };
  }
  if (t.type === 'worker-ack' || t.type === 'worker-reply') {
    const person = await registry.getPerson(t.workerId);
    if (!person) {
      return {
        ok: false,
        reason: 'acl',
        deviceId: null,
        detail: `person ${t.workerId} is not in the registry`,
      };
    }
    return { ok: true, who: { type: 'person', personId: person.id, username: person.username ?? person.id } };
  }
  return { ok: true, who: null };
}
