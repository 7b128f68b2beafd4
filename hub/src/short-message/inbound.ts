import { type MessageOf, validate } from '@steppelink/protocols';
import {
  fromHex,
  fromSmsText,
  parseSosShort,
  REPLAY_WINDOW_DEFAULTS,
  type ReplayWindow,
  replayVerdict,
  verifySosShort,
} from '@steppelink/protocols/short-message';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Accepted } from '../context.ts';
import type { SosVia } from '../incidents/sos.ts';
import type { Logger } from '../log.ts';
import type { RejectReason } from '../ports.ts';
import type { RegistryReads } from './registry-reads.ts';
import type { Db } from '../state/db.ts';
import type { MessageKeys } from './keys.ts';

/** What an SMS gateway or BeiDou command-centre receiver posts: one received short message. */
export const inboundShortSchema = z.object({
  path: z.enum(['sms', 'beidou']).describe('how it arrived: an SMS, or a BeiDou short message'),
  from: z
    .string()
    .min(1)
    .max(32)
    .regex(/^\+?[0-9]+$/, { message: 'the sender is a phone number or a BeiDou card address (digits)' })
    .describe("the sender's phone number (E.164) or BeiDou card address; the sos-ack goes back to it"),
  body: z
    .string()
    .min(1)
    .max(1000)
    .describe(
      'the message text as received: "SL1 <base64url>" (SMS) or the hex of a code-mode BeiDou message',
    ),
  messageId: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe(
      "the gateway's own id for this message: a retried POST with the same id is answered again, not refused",
    ),
});
export type InboundShort = z.infer<typeof inboundShortSchema>;

export type InboundResult =
  | { status: 'accepted'; deviceId: string; sosId: string; incidentId: string | null; duplicate: boolean }
  | { status: 'refused'; reason: RejectReason; detail: string };

export interface InboundDeps {
  db: Db;
  registry: RegistryReads;
  keys: MessageKeys;
  clock: Clock;
  log: Logger;
  replay: ReplayWindow;
  /** Dead-letters a refused message (the hub's dead-letter table). */
  deadLetter(reason: RejectReason, topic: string, deviceId: string | null, detail: string): void;
  /** Hands a verified SOS to the incidents module (raise or join, path on the timeline). */
  sosArrived(m: Accepted<'sos'>, via: SosVia): Promise<string | undefined>;
}

/**
 * Inbound SOS short messages: decode (SMS text or BeiDou hex), look the device's message key up,
 * verify the truncated HMAC, check the replay window and that this exact copy (its MAC) was never
 * accepted before, then raise or join the incident exactly as the MQTT copy of the same press
 * would (the SOS id is the message id, so MQTT, SMS and BeiDou copies are one incident). Every
 * refusal is dead-lettered with its reason: a forger learns nothing beyond "refused".
 */
export class ShortMessageInbound {
  private readonly st;

  constructor(private readonly d: InboundDeps) {
    this.st = {
      byMac: d.db.prepare('SELECT received_at AS at, path FROM short_messages WHERE mac = ?'),
      byGateway: d.db.prepare(
        'SELECT device_id AS deviceId, sos_id AS sosId, incident_id AS incidentId FROM short_messages WHERE gateway_id = ?',
      ),
      insert: d.db.prepare(
        `INSERT INTO short_messages (mac, gateway_id, device_id, sos_id, path, from_addr, sent_at, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      setIncident: d.db.prepare('UPDATE short_messages SET incident_id = ? WHERE mac = ?'),
      prune: d.db.prepare('DELETE FROM short_messages WHERE received_at < ?'),
    };
  }

  async receive(input: InboundShort): Promise<InboundResult> {
    const now = this.d.clock.now();
    const topic = `${input.path}:${input.from}`;
    if (input.messageId) {
      const seen = this.st.byGateway.get(input.messageId) as
        | { deviceId: string; sosId: string; incidentId: string | null }
        | undefined;
      if (seen) return { status: 'accepted', ...seen, duplicate: true }; // the gateway retried its POST
    }
    const refuse = (reason: RejectReason, detail: string, deviceId: string | null = null): InboundResult => {
      const full = `${detail} (${input.path} from ${input.from}: ${JSON.stringify(input.body.slice(0, 200))})`;
      this.d.deadLetter(reason, topic, deviceId, full);
      this.d.log.warn(
        { path: input.path, from: input.from, deviceId, reason },
        `short message refused: ${detail}`,
      );
      return { status: 'refused', reason, detail };
    };
    const bytes = input.path === 'sms' ? fromSmsText(input.body) : fromHex(input.body);
    if (!bytes.ok) return refuse('schema', bytes.error.message);
    const parsed = parseSosShort(bytes.value);
    if (!parsed.ok) return refuse('schema', parsed.error.message);
    const m = parsed.value.message;
    const device = this.d.registry.getDevice(m.deviceId);
    if (!device?.enabled) return refuse('unknown_device', `no enabled device ${m.deviceId}`, m.deviceId);
    const key = this.d.keys.get(m.deviceId);
    if (!key) {
      return refuse(
        'unknown_device',
        `no message key for ${m.deviceId} yet (it is learnt when the secret is issued or at the device's next MQTT connection)`,
        m.deviceId,
      );
    }
    if (!verifySosShort(parsed.value, key))
      return refuse('forged', 'the message MAC does not match', m.deviceId);
    const mac = Buffer.from(parsed.value.mac).toString('base64url');
    const before = this.st.byMac.get(mac) as { at: number; path: string } | undefined;
    if (before) {
      return refuse(
        'replayed',
        `this exact copy was accepted at ${new Date(before.at).toISOString()} (${before.path})`,
        m.deviceId,
      );
    }
    const window = replayVerdict(m.sentAtMs, now, this.d.replay);
    if (window !== 'ok') {
      return refuse(
        'replayed',
        `sent at ${new Date(m.sentAtMs).toISOString()}, ${window === 'too_old' ? 'older than' : 'ahead of'} the replay window`,
        m.deviceId,
      );
    }
    this.st.insert.run(
      mac,
      input.messageId ?? null,
      m.deviceId,
      m.sosId,
      input.path,
      input.from,
      m.sentAtMs,
      now,
    );
    const raw = {
      v: 1,
      id: m.sosId,
      // a press is never later than the copy that carries it
      ts: Math.min(m.pressedAtMs, m.sentAtMs),
      action: 'raise',
      category: m.category,
      ...(m.pos ? { pos: m.pos } : {}),
      ...(m.power
        ? { power: { source: m.power, ...(m.battery !== undefined ? { battery: m.battery } : {}) } }
        : {}),
    };
    const msg = validate('sos', raw);
    if (!msg.ok) return refuse('schema', msg.error.message, m.deviceId);
    const accepted: Accepted<'sos'> = {
      seq: 0,
      deviceId: m.deviceId,
      kind: 'sos',
      msg: msg.value as MessageOf<'sos'>,
      receivedAt: now,
    };
    let incidentId: string | undefined;
    try {
      incidentId = await this.d.sosArrived(accepted, { path: input.path, from: input.from });
    } catch (err) {
      // e.g. a late copy of a press whose incident closed: on its timeline; the reason kept here too
      this.d.deadLetter('handler_error', topic, m.deviceId, (err as Error).message.slice(0, 1000));
      this.d.log.warn({ err, deviceId: m.deviceId, sosId: m.sosId }, 'short-message SOS not raised');
    }
    if (incidentId) this.st.setIncident.run(incidentId, mac);
    return {
      status: 'accepted',
      deviceId: m.deviceId,
      sosId: m.sosId,
      incidentId: incidentId ?? null,
      duplicate: false,
    };
  }

  /** Forgets copies older than the replay window and the ack window (the caller passes the larger). */
  prune(keepMs: number): number {
    return this.st.prune.run(this.d.clock.now() - keepMs).changes;
  }
}

export { REPLAY_WINDOW_DEFAULTS };
