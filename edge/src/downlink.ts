import {
  type DeviceConfig,
  decode,
  type Notice,
  parseTopic,
  type SosAck,
  type SosMsg,
} from '@steppelink/protocols';

export interface DownlinkHandlers {
  notice(notice: Notice): void;
  sosAck(ack: SosAck): void;
  /** A responder's short text during the household's SOS. */
  sosMsg(msg: SosMsg): void;
  config(config: DeviceConfig): void;
  reject(reason: string, detail: string): void;
}

type Routed =
  | { kind: 'notice'; value: Notice }
  | { kind: 'sos-ack'; value: SosAck }
  | { kind: 'sos-msg'; value: SosMsg }
  | { kind: 'config'; value: DeviceConfig }
  | { kind: 'reject'; reason: string; detail: string };

const rejected = (reason: string, detail: string): Routed => ({ kind: 'reject', reason, detail });

/** Checks the topic is ours (our down/# or one of our units' notice topics) and decodes the payload. */
export function routeDownlink(
  topic: string,
  payload: Uint8Array,
  deviceId: string,
  units: ReadonlySet<string>,
): Routed {
  const parsed = parseTopic(topic);
  if (!parsed.ok) return rejected(`topic_${parsed.error.code}`, parsed.error.message);
  const t = parsed.value;
  if (t.type === 'unit-notice' && !units.has(t.unitId))
    return rejected('foreign_unit', `not subscribed to unit ${t.unitId}`);
  if (t.type !== 'unit-notice' && (t.type !== 'down' || t.deviceId !== deviceId)) {
    return rejected('foreign_topic', `not a downlink for ${deviceId}`);
  }
  const kind = t.type === 'unit-notice' ? 'notice' : t.kind;
  switch (kind) {
    case 'notice': {
      const r = decode('notice', payload);
      return r.ok ? { kind, value: r.value } : rejected(`notice_${r.error.code}`, r.error.message);
    }
    case 'sos-ack': {
      const r = decode('sos-ack', payload);
      return r.ok ? { kind, value: r.value } : rejected(`sos-ack_${r.error.code}`, r.error.message);
    }
    case 'sos-msg': {
      const r = decode('sos-msg', payload);
      return r.ok ? { kind, value: r.value } : rejected(`sos-msg_${r.error.code}`, r.error.message);
    }
    case 'config': {
      const r = decode('config', payload);
      return r.ok ? { kind, value: r.value } : rejected(`config_${r.error.code}`, r.error.message);
    }
  }
}

/** Routes one downlink MQTT message to its handler. Never throws on bad input. */
export function handleDownlink(
  topic: string,
  payload: Uint8Array,
  deviceId: string,
  units: ReadonlySet<string>,
  h: DownlinkHandlers,
): void {
  const r = routeDownlink(topic, payload, deviceId, units);
  if (r.kind === 'notice') h.notice(r.value);
  else if (r.kind === 'sos-ack') h.sosAck(r.value);
  else if (r.kind === 'sos-msg') h.sosMsg(r.value);
  else if (r.kind === 'config') h.config(r.value);
  else h.reject(r.reason, r.detail);
}
