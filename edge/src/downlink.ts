import { type DeviceConfig, decode, type Notice, parseTopic, type SosAck } from '@steppelink/protocols';

export interface DownlinkHandlers {
  notice(notice: Notice): void;
  sosAck(ack: SosAck): void;
  config(config: DeviceConfig): void;
  reject(reason: string, detail: string): void;
}

/**
 * Routes one downlink MQTT message: checks the topic is ours (our down/# or one of our units'
 * notice topics), decodes it with the protocol schema and calls the handler. Never throws.
 */
export function handleDownlink(
  topic: string,
  payload: Uint8Array,
  deviceId: string,
  units: ReadonlySet<string>,
  h: DownlinkHandlers,
): void {
  const parsed = parseTopic(topic);
  if (!parsed.ok) return h.reject(`topic_${parsed.error.code}`, parsed.error.message);
  const t = parsed.value;
  if (t.type === 'unit-notice') {
    if (!units.has(t.unitId)) return h.reject('foreign_unit', `not subscribed to unit ${t.unitId}`);
    const n = decode('notice', payload);
    return n.ok ? h.notice(n.value) : h.reject(`notice_${n.error.code}`, n.error.message);
  }
  if (t.type !== 'down' || t.deviceId !== deviceId)
    return h.reject('foreign_topic', `not a downlink for ${deviceId}`);
  switch (t.kind) {
    case 'notice': {
      const n = decode('notice', payload);
      return n.ok ? h.notice(n.value) : h.reject(`notice_${n.error.code}`, n.error.message);
    }
    case 'sos-ack': {
      const a = decode('sos-ack', payload);
      return a.ok ? h.sosAck(a.value) : h.reject(`sos-ack_${a.error.code}`, a.error.message);
    }
    case 'config': {
      const c = decode('config', payload);
      return c.ok ? h.config(c.value) : h.reject(`config_${c.error.code}`, c.error.message);
    }
  }
}
