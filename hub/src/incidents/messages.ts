import type { Accepted } from '../context.ts';
import type { Registry } from '../registry/registry.ts';
import type { IncidentEngine } from './engine.ts';
import type { Actor, Incident } from './store.ts';

/**
 * The household's side of the SOS conversation over MQTT (issue #27): `sl/v1/{deviceId}/sos-reply`.
 * A reply joins the incident of the SOS it names, and only when that incident is this box's own
 * (raised by it, or by another box of the same household): the topic ACL proves who sent it, this
 * proves it may speak in that incident. A refusal throws, so ingest dead-letters it with the
 * reason. Idempotent by message id (a redelivered reply is stored once).
 */
export function messageHandlers(engine: () => IncidentEngine, registry: () => Registry) {
  /** The incident the reply is bound to, or why none. */
  async function incidentOf(m: Accepted<'sos-reply'>): Promise<Incident | string> {
    const e = engine();
    const device = registry().getDevice(m.deviceId);
    if (!device) return 'no such device in the registry';
    const bySos = await e.incidentForMessage('sos', m.msg.sosId);
    if (m.msg.incidentId && bySos && bySos !== m.msg.incidentId) {
      return `SOS ${m.msg.sosId} belongs to ${bySos}, not to ${m.msg.incidentId}`;
    }
    const id = bySos ?? m.msg.incidentId;
    if (!id) return `no incident for SOS ${m.msg.sosId}`;
    await e.committed(id);
    const inc = e.get(id);
    if (!inc) return `no incident ${id}`;
    const own = inc.device === device.id || (device.household !== null && device.household === inc.household);
    if (!own) return `incident ${inc.id} is not an SOS of ${device.id} or its household`;
    return inc;
  }

  return {
    async 'sos-reply'(m: Accepted<'sos-reply'>): Promise<void> {
      const refused = `sos-reply ${m.msg.id} from ${m.deviceId} refused`;
      const inc = await incidentOf(m);
      if (typeof inc === 'string') throw new Error(`${refused}: ${inc}`);
      const reg = registry();
      const device = reg.getDevice(m.deviceId);
      const household = device?.household ? reg.getHousehold(device.household) : undefined;
      const actor: Actor = { kind: 'device', id: m.deviceId, name: household?.name ?? m.deviceId };
      const msg = { source: 'sos-reply', id: m.msg.id };
      if (m.msg.type === 'read') {
        const ok = await engine().read(inc.id, m.msg.messageId, actor, { msg });
        if (!ok) throw new Error(`${refused}: ${inc.id} sent it no message ${m.msg.messageId}`);
        return;
      }
      const r = await engine().message(
        inc.id,
        {
          id: m.msg.id,
          from: 'household',
          actor,
          ...(m.msg.canned ? { canned: m.msg.canned } : {}),
          ...(m.msg.text !== undefined ? { text: m.msg.text } : {}),
          via: 'mqtt',
        },
        msg,
      );
      if (!r.ok) throw new Error(`${refused}: ${r.error}`);
    },
  };
}
