import type { IncidentState, Lang, Texts } from '@steppelink/protocols';
import { ackSmsText, encodeAckShort, toHex } from '@steppelink/protocols/short-message';
import type { Clock } from '../clock.ts';
import type { Publisher } from '../context.ts';
import type { Logger } from '../log.ts';
import type { DeviceAckPayload } from '../notify/device.ts';
import type { Notifier, Outcome } from '../notify/port.ts';
import type { RegistryReads } from './registry-reads.ts';
import type { Db } from '../state/db.ts';
import type { MessageKeys } from './keys.ts';
import type { OutboundGateway } from './outbound.ts';

export interface AckRelayDeps {
  db: Db;
  registry: RegistryReads;
  keys: MessageKeys;
  publisher: Publisher;
  clock: Clock;
  log: Logger;
  outbound: OutboundGateway | undefined;
  /** How long after the latest short message of an SOS its sos-acks still go back that way. */
  windowMs: number;
}

/** Characters of the household text that fit one SMS beside the ack tag (" SL1A " + 16). */
const GSM_TEXT_MAX = 160 - 22;
const UCS2_TEXT_MAX = 70 - 22;
const isAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);

/** The household's text, cut to what one SMS holds with the tag (UCS-2 for Chinese and Mongolian). */
export function smsText(texts: Texts, lang: Lang): string {
  const t = texts[lang].replace(/\s+/g, ' ').trim();
  const max = isAscii(t) ? GSM_TEXT_MAX : UCS2_TEXT_MAX;
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/**
 * The box's sos-acks go over MQTT as always; when the box is not connected and its SOS reached
 * the hub by SMS or BeiDou (within `windowMs`), the same sos-ack also goes back that way: a short
 * SMS in the household's language with the hub's authenticated ack tag, or the tag as hex to the
 * BeiDou card. The row is `delivered` once the outbound gateway took it (its 2xx), as for an SMS
 * page; the MQTT copy stays queued for the box's persistent session all the same.
 */
export function shortAckRelay(deps: () => AckRelayDeps): (mqtt: Notifier) => Notifier {
  return (mqtt) => ({
    channel: mqtt.channel,
    render: (content, to) => mqtt.render(content, to),
    async deliver(payload): Promise<Outcome> {
      const out = await mqtt.deliver(payload);
      const d = deps();
      const p = payload as DeviceAckPayload;
      const msg = p.message as { id: string; sosId: string; state: IncidentState; texts: Texts };
      if (!d.outbound || d.publisher.isConnected(p.deviceId)) return out;
      const back = d.db
        .prepare(
          `SELECT path, from_addr AS fromAddr FROM short_messages
           WHERE device_id = ? AND sos_id = ? AND received_at >= ? ORDER BY received_at DESC LIMIT 1`,
        )
        .get(p.deviceId, msg.sosId, d.clock.now() - d.windowMs) as
        | { path: 'sms' | 'beidou'; fromAddr: string }
        | undefined;
      if (!back) return out;
      const key = d.keys.get(p.deviceId);
      if (!key) return out;
      const device = d.registry.getDevice(p.deviceId);
      const household = device?.household ? d.registry.getHousehold(device.household) : undefined;
      const lang: Lang = household?.lang ?? 'zh';
      const text = back.path === 'sms' ? smsText(msg.texts, lang) : '';
      const ack = encodeAckShort({ deviceId: p.deviceId, sosId: msg.sosId, state: msg.state, text }, key);
      const sent = await d.outbound(
        {
          to: back.fromAddr,
          path: back.path,
          body: back.path === 'sms' ? ackSmsText(text, ack) : toHex(ack),
          text,
          deviceId: p.deviceId,
          sosId: msg.sosId,
          state: msg.state,
          idempotencyKey: msg.id,
        },
        d.clock.now(),
      );
      d.log.info(
        { deviceId: p.deviceId, sosId: msg.sosId, path: back.path, status: sent.status },
        'sos-ack sent back over the short-message path',
      );
      if (sent.status === 'delivered') return sent;
      return out.status === 'queued' ? out : sent;
    },
  });
}
