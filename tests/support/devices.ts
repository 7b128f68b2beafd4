import {
  decode,
  downWildcard,
  encodeOrThrow,
  type Notice,
  type SosAck,
  upTopic,
} from '@steppelink/protocols';
import type { MqttClient } from 'mqtt';
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
  sos(extra?: { category?: string; pos?: { lat: number; lon: number }; note?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function connectBox(mqttUrl: string, id: string): Promise<Box> {
  const client = await connect(mqttUrl, deviceLogin(id, { clean: false }));
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
