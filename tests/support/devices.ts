import {
  type Alert,
  decode,
  downWildcard,
  encodeOrThrow,
  type Notice,
  type SosAck,
  upTopic,
  workerAlertTopic,
} from '@steppelink/protocols';
import type { MqttClient } from 'mqtt';
import { DEMO_PASSWORD } from '@steppelink/hub/testing';
import { connect, deviceLogin } from './hub.ts';

/**
 * A household's set-top box as a real MQTT client (mqtt.js, persistent session, QoS 1): presses
 * SOS and records every sos-ack the hub sends down to it.
 */
export interface Box {
  id: string;
  client: MqttClient;
  acks: SosAck[];
  /** Notices received on its downlink or on unit topics it subscribed to. */
  notices: Notice[];
  sos(extra?: {
    category?: string;
    pos?: { lat: number; lon: number; acc?: number };
    note?: string;
    power?: { source: 'mains' | 'battery' | 'solar'; battery?: number };
  }): Promise<string>;
  close(): Promise<void>;
}

export async function connectBox(mqttUrl: string, id: string, o: { clean?: boolean } = {}): Promise<Box> {
  const client = await connect(mqttUrl, deviceLogin(id, { clean: o.clean ?? false }));
  const acks: SosAck[] = [];
  const notices: Notice[] = [];
  client.on('message', (topic, payload) => {
    if (topic.endsWith('/down/sos-ack')) {
      const r = decode('sos-ack', payload);
      if (r.ok) acks.push(r.value);
    } else if (topic.endsWith('/notice')) {
      const r = decode('notice', payload);
      if (r.ok) notices.push(r.value);
    }
  });
  await client.subscribeAsync(downWildcard(id), { qos: 1 });
  let n = 0;
  return {
    id,
    client,
    acks,
    notices,
    async sos(extra = {}) {
      const msgId = `${id}:sos:dash-${Date.now()}-${++n}`;
      await client.publishAsync(
        upTopic(id, 'sos'),
        encodeOrThrow('sos', { v: 1, id: msgId, ts: Date.now(), action: 'raise', ...extra } as never),
        { qos: 1 },
      );
      return msgId;
    },
    close: () => new Promise<void>((resolve) => client.end(false, {}, () => resolve())),
  };
}

/** A grid worker's phone as a real MQTT client: logs in with their username, records every page. */
export interface Phone {
  client: MqttClient;
  alerts: Alert[];
}

/**
 * Connects a worker's phone with a persistent session (clean=false) and, unless told not to (a
 * session resumed with its subscription), subscribes to their alert topic at QoS 1, so mqtt.js
 * PUBACKs every page.
 */
export async function connectPhone(
  mqttUrl: string,
  person: string,
  username: string,
  o: { clientId?: string; subscribe?: boolean } = {},
): Promise<Phone> {
  const alerts: Alert[] = [];
  const client = await connect(mqttUrl, {
    clientId: o.clientId ?? `phone-${person}`,
    username,
    password: DEMO_PASSWORD,
    clean: false,
  });
  client.on('message', (topic, payload) => {
    if (topic === workerAlertTopic(person)) alerts.push(JSON.parse(payload.toString()) as Alert);
  });
  if (o.subscribe !== false) await client.subscribeAsync(workerAlertTopic(person), { qos: 1 });
  return { client, alerts };
}
