import type { PowerSource, Position, SosCategory } from '@steppelink/protocols';
import { encodeSosShort, fromHex, parseAckSms, verifyAckShort } from '@steppelink/protocols/short-message';
import type { TimerHandle, Timers } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { SosController, SosStatus } from '../sos.ts';
import type { Received, ShortPath, ShortTransport } from './port.ts';

/**
 * When the SOS goes over the next path (all from the press):
 * - `mqttAckMs`: with the link up, MQTT has this long to get the hub's PUBACK (or sos-ack) back
 *   before the first short-message path is tried too (a PUBACK on a working link takes
 *   milliseconds; 20 s covers a slow 2G link that is still up);
 * - `linkDownMs`: with the link down, the supervisor gets this long to come back first;
 * - `stepMs`: each later path starts this long after the one before (SMS, then BeiDou): SMS is
 *   cheaper and answers in seconds; BeiDou is for where there is no cell coverage at all;
 * - `resendMs`: every path that took the message sends it again this often until the hub
 *   answers on any path (a fresh copy: new sent-at time, new MAC), and a path that refused it
 *   tries again after `failedRetryMs` or when it says (a BeiDou card's sending frequency).
 */
export const LADDER_DEFAULTS = {
  mqttAckMs: 20_000,
  linkDownMs: 5_000,
  stepMs: 60_000,
  resendMs: 300_000,
  failedRetryMs: 30_000,
};
export type LadderTimings = typeof LADDER_DEFAULTS;

export interface LadderOptions {
  deviceId: string;
  /** The device's short-message key (`shortMessageKey(secret)`). */
  key: Uint8Array;
  /** In ladder order: SMS first, then BeiDou. */
  transports: readonly ShortTransport[];
  sos: SosController;
  timers: Timers;
  /** The agent's best estimate of true time (for the message's times). */
  now(): number;
  linkUp(): boolean;
  position?(): Position | undefined;
  power?(): { source: PowerSource; battery?: number } | undefined;
  category?(): SosCategory;
  timings?: Partial<LadderTimings>;
  log: Logger;
}

/** What the ladder did, for tests and /health. */
export interface LadderEvent {
  at: number;
  path: ShortPath;
  sosId: string;
  outcome: 'sent' | 'failed' | 'acked';
  reason?: string;
}

/**
 * The SOS transport ladder: MQTT first (the outbox keeps sending it as always); if the hub has
 * not taken it within `mqttAckMs` (or the link is down), also over SMS, then BeiDou, each behind
 * the same ShortTransport port, and again on every path until the hub answers on one: its
 * PUBACK or sos-ack over MQTT, or its authenticated ack tag by SMS or BeiDou (checked here with
 * the device key: a forged "help is coming" never stops the ladder).
 */
export class SosLadder {
  readonly #o: LadderOptions & { t: LadderTimings };
  readonly #timers = new Map<ShortPath, TimerHandle>();
  #sosId: string | undefined;
  #pressedAt = 0;
  readonly events: LadderEvent[] = [];

  constructor(o: LadderOptions) {
    this.#o = { ...o, t: { ...LADDER_DEFAULTS, ...o.timings } };
    for (const t of o.transports) t.onReceive((m) => this.#received(t.path, m));
    o.sos.on('status', (s) => this.#status(s));
    this.#status(o.sos.status());
  }

  /** The SOS the ladder is working on, if any. */
  get active(): string | undefined {
    return this.#sosId;
  }

  close(): void {
    this.#stop();
  }

  #status(s: SosStatus): void {
    const waiting = s.state === 'sending' || (s.state === 'confirm-cancel' && !s.deliveredAt && !s.ack);
    const first = s.raiseIds[0];
    if (!waiting || !first || s.via) {
      if (this.#sosId) this.#stop();
      return;
    }
    if (this.#sosId === first) return;
    this.#stop();
    this.#sosId = first;
    this.#pressedAt = s.pressedAt ?? this.#o.now();
    const wait = this.#o.linkUp() ? this.#o.t.mqttAckMs : this.#o.t.linkDownMs;
    this.#o.transports.forEach((t, i) => {
      this.#schedule(t, wait + i * this.#o.t.stepMs);
    });
  }

  #stop(): void {
    for (const h of this.#timers.values()) this.#o.timers.clearTimeout(h);
    this.#timers.clear();
    this.#sosId = undefined;
  }

  #schedule(t: ShortTransport, ms: number): void {
    const old = this.#timers.get(t.path);
    if (old !== undefined) this.#o.timers.clearTimeout(old);
    this.#timers.set(
      t.path,
      this.#o.timers.setTimeout(() => void this.#attempt(t), Math.max(0, ms)),
    );
  }

  async #attempt(t: ShortTransport): Promise<void> {
    const sosId = this.#sosId;
    if (!sosId) return;
    const now = this.#o.now();
    const pos = this.#o.position?.();
    const power = this.#o.power?.();
    const encoded = encodeSosShort(
      {
        deviceId: this.#o.deviceId,
        sosId,
        category: this.#o.category?.() ?? 'unknown',
        ...(pos ? { pos: { lat: pos.lat, lon: pos.lon } } : {}),
        ...(power ? { power: power.source } : {}),
        ...(power?.battery !== undefined ? { battery: Math.round(power.battery) } : {}),
        pressedAtMs: Math.min(this.#pressedAt, now),
        sentAtMs: now,
      },
      this.#o.key,
    );
    if (!encoded.ok) {
      this.#o.log.error('sos.short_unencodable', { reason: encoded.error.message });
      return; // nothing this path can do for this device (e.g. an id too long for a short message)
    }
    const r = await t.send(encoded.value);
    if (this.#sosId !== sosId) return; // answered meanwhile
    if (r.ok) {
      this.events.push({ at: this.#o.now(), path: t.path, sosId, outcome: 'sent' });
      this.#o.log.warn('sos.sent_by_short_message', { path: t.path, sosId });
      this.#o.sos.onShortSent(t.path);
      this.#schedule(t, this.#o.t.resendMs);
    } else {
      this.events.push({ at: this.#o.now(), path: t.path, sosId, outcome: 'failed', reason: r.reason });
      this.#o.log.warn('sos.short_message_failed', { path: t.path, reason: r.reason, detail: r.detail });
      this.#schedule(t, Math.max(r.retryAfterMs ?? 0, this.#o.t.failedRetryMs));
    }
  }

  #received(path: ShortPath, m: Received): void {
    const sosId = this.#sosId;
    const ids = this.#o.sos.status().raiseIds;
    let ack: { sosId: string; state: Parameters<SosController['onShortAck']>[0]['state'] } | undefined;
    let text: string | undefined;
    if (path === 'sms') {
      const tag = parseAckSms(m.text);
      if (tag) {
        ack = verifyAckShort(tag.ack, this.#o.deviceId, ids, this.#o.key, tag.text);
        text = tag.text || undefined;
      }
    } else {
      const bytes = fromHex(m.text);
      if (bytes.ok) ack = verifyAckShort(bytes.value, this.#o.deviceId, ids, this.#o.key);
    }
    if (!ack) {
      this.#o.log.warn('sos.short_message_ignored', { path, from: m.from });
      return;
    }
    this.events.push({ at: this.#o.now(), path, sosId: ack.sosId, outcome: 'acked' });
    if (sosId === ack.sosId || sosId === undefined) this.#stop();
    this.#o.sos.onShortAck({ sosId: ack.sosId, state: ack.state, path, ...(text ? { text } : {}) });
  }
}
