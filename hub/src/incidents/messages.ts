import type { Accepted } from '../context.ts';
import type { Registry } from '../registry/registry.ts';
import type { IncidentEngine } from './engine.ts';
import type { Actor, Incident } from './store.ts';

/**
 * The SOS conversation over MQTT (issue #27): the household's side, `sl/v1/{deviceId}/sos-reply`,
 * and a responder's phone's, `sl/v1/worker/{personId}/reply` (below).
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

    /**
     * A responder's phone (`sl/v1/worker/{personId}/reply`): a short text for the household's box,
     * or its read receipt for the household's reply. Allowed to whoever may act on the incident
     * over `ack`: paged for it, or holding a duty role within its unit.
     */
    async 'worker-reply'(m: Accepted<'worker-reply'>): Promise<void> {
      const e = engine();
      const reg = registry();
      const refused = `worker-reply ${m.msg.id} from ${m.deviceId} refused`;
      const person = reg.getPerson(m.deviceId);
      if (!person) throw new Error(`${refused}: no such person in the registry`);
      await e.committed(m.msg.incidentId);
      const inc = e.get(m.msg.incidentId);
      if (!inc) throw new Error(`${refused}: no incident ${m.msg.incidentId}`);
      const may =
        (await e.wasPaged(inc.id, person.id)) ||
        person.roles.some((r) => r.role !== 'admin' && reg.isWithin(inc.unit, r.unit));
      if (!may) throw new Error(`${refused}: not paged for ${inc.id} and no duty role within ${inc.unit}`);
      const actor: Actor = { kind: 'person', id: person.id, name: person.name };
      if (m.msg.type === 'read') {
        const ok = await e.read(inc.id, m.msg.messageId, actor, {
          person: person.id,
          msg: { source: 'worker-reply', id: m.msg.id },
        });
        if (!ok) throw new Error(`${refused}: ${inc.id} has no household message ${m.msg.messageId}`);
        return;
      }
      // one id space with the API's texts: a text is applied once, whichever way it came
      const r = await e.message(
        inc.id,
        { id: m.msg.id, from: 'responder', actor, text: m.msg.text, via: 'mqtt' },
        { source: 'sos-msg', id: m.msg.id },
      );
      if (!r.ok) throw new Error(`${refused}: ${r.error}`);
    },
  };
}
