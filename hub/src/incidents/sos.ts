import type { Accepted } from '../context.ts';
import { escalationChain } from '../duty/chain.ts';
import type { UnitLevel } from '../registry/schema.ts';
import type { Registry } from '../registry/registry.ts';
import type { IncidentEngine } from './engine.ts';
import type { Actor } from './store.ts';
import { sosSummary } from './texts.ts';

/** How a copy of an SOS reached the hub: MQTT (the box's link), or an SMS or BeiDou short message. */
export interface SosVia {
  path: 'mqtt' | 'sms' | 'beidou';
  /** The sender's phone number or BeiDou card address (short messages). */
  from?: string;
}

/**
 * The MQTT side of incidents: SOS raise/cancel from household boxes and patrol trackers, and
 * acknowledgements from workers' phones. Idempotent by message id (a re-run after a crash
 * changes nothing).
 */
export function sosHandlers(engine: () => IncidentEngine, registry: () => Registry, chainTop: UnitLevel) {
  return {
    async sos(m: Accepted<'sos'>, via: SosVia = { path: 'mqtt' }): Promise<string | undefined> {
      const reg = registry();
      const device = reg.getDevice(m.deviceId);
      const unitId = device ? reg.deviceUnit(device) : undefined;
      if (!device || !unitId) throw new Error(`SOS from ${m.deviceId}, which has no household or team unit`);
      const household = device.household ? reg.getHousehold(device.household) : undefined;
      const key = `sos:${household?.id ?? device.id}`;
      if (m.msg.action === 'cancel') {
        const e = engine();
        const open =
          (m.msg.raiseId ? await e.incidentForMessage('sos', m.msg.raiseId) : undefined) ??
          e.openIncidentId(key);
        if (!open) return undefined; // nothing open to cancel (already closed, or never raised)
        const actor: Actor = { kind: 'device', id: device.id, name: household?.name ?? device.id };
        await e.act(open, 'cancel', actor, {
          note: m.msg.note ?? 'cancelled on the box (confirmed twice)',
          msg: { source: 'sos', id: m.msg.id },
        });
        return open;
      }
      // a short message whose press the hub already applied (from MQTT: a short message writes its line)
      const earlier =
        via.path !== 'mqtt' && (await engine().incidentForMessage('sos', m.msg.id))
          ? ('mqtt' as const)
          : undefined;
      const team = device.team ? reg.getTeam(device.team) : undefined;
      const unit = reg.getUnit(unitId);
      const summary = sosSummary({
        ...(household ? { household } : {}),
        unitName: unit?.name ?? { zh: unitId, mn: unitId, en: unitId },
        deviceId: device.id,
        ...(team ? { team: team.name } : {}),
        category: m.msg.category,
      });
      const details: Record<string, unknown> = { sosId: m.msg.id };
      if (m.msg.note) details.note = m.msg.note;
      if (m.msg.power) details.power = m.msg.power;
      const r = await engine().raise(
        {
          source: 'sos',
          category: m.msg.category,
          severity: 'critical',
          unitId,
          key,
          ...(household ? { householdId: household.id } : {}),
          deviceId: device.id,
          ...(m.msg.pos ? { pos: m.msg.pos } : {}),
          at: m.msg.ts,
          summary,
          details,
        },
        {
          msg: { source: 'sos', id: m.msg.id },
          receivedAt: m.receivedAt,
          sosId: m.msg.id,
          presses: m.msg.presses ?? 1,
          chain: escalationChain(reg, unitId, {
            top: chainTop,
            ...(team ? { first: ['patrol-member'] } : {}),
          }),
        },
      );
      // Every path a copy of this press came over is on the incident's timeline, once short messages
      // are involved (an MQTT-only SOS needs no line: its `open` says it).
      if (r.incidentId && (via.path !== 'mqtt' || !r.created)) {
        await engine().notePath(r.incidentId, via.path, m.msg.id, {
          ...(via.from ? { from: via.from } : {}),
          ...(earlier ? { earlier } : {}),
        });
      }
      // Recorded on the closed incident's timeline; throwing makes ingest dead-letter it with the
      // reason too, so an accepted press that paged nobody is never silent.
      if (r.folded) throw new Error(`SOS ${m.msg.id} not paged: ${r.folded}`);
      return r.incidentId || undefined;
    },

    async 'worker-ack'(m: Accepted<'worker-ack'>): Promise<void> {
      const e = engine();
      const reg = registry();
      const person = reg.getPerson(m.deviceId);
      const refused = `worker-ack ${m.msg.id} from ${m.deviceId} refused`;
      if (!person) throw new Error(`${refused}: no such person in the registry`);
      // A refused ack is dead-lettered (the throw) and the phone is told, never left waiting.
      await e.committed(m.msg.incidentId); // an ack may follow a page that went out ahead of its commit
      const inc = e.get(m.msg.incidentId);
      if (!inc) {
        e.refuseWorkerAck(person.id, m.msg, 'no-incident');
        throw new Error(`${refused}: no incident ${m.msg.incidentId}`);
      }
      const mayAct =
        (await e.wasPaged(inc.id, person.id)) ||
        person.roles.some((r) => r.role !== 'admin' && reg.isWithin(inc.unit, r.unit));
      if (!mayAct) {
        e.refuseWorkerAck(person.id, m.msg, 'not-allowed');
        throw new Error(`${refused}: not paged for ${inc.id} and no duty role within ${inc.unit}`);
      }
      const actor: Actor = { kind: 'person', id: person.id, name: person.name };
      await e.act(inc.id, m.msg.action === 'decline' ? 'decline' : 'ack', actor, {
        ...(m.msg.note ? { note: m.msg.note } : {}),
        msg: { source: 'worker-ack', id: m.msg.id },
      });
    },
  };
}
