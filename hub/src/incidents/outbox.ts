import { downTopic, type MessageInputOf, workerAlertTopic } from '@steppelink/protocols';
import type { DeliveryRow } from '../notify/deliverer.ts';
import type { DeviceAckPayload } from '../notify/device.ts';
import type { ChannelName, Notifier, Outcome, PageContent, Recipient } from '../notify/port.ts';

export type { DeliveryRow };
import type { Registry } from '../registry/registry.ts';
import type { Incident } from './store.ts';
import type { PageKind } from './decide.ts';
import type { DeliveryInsert } from './store-port.ts';

export type { PageKind };
export interface PageStep {
  level: number;
  reminder: number;
  kind: PageKind;
  ackBy: number | null;
}

/** One recipient × channel of a page step, as written to `deliveries`. */
export interface PageRow {
  key: string;
  channel: ChannelName;
  payload: unknown;
  person: string;
  /** An SMS fallback: held until the app page with this key is overdue (sent only if it is not delivered). */
  afterKey?: string;
}

/** What identifies a published message when its PUBACK comes back: topic and message id. */
export function wireId(topic: string, messageId: string): string {
  return `${topic}#${messageId}`;
}

/** The wire id of an MQTT alert or sos-ack row (null for other channels). */
function wireIdOf(channel: ChannelName, payload: unknown): string | null {
  const p = payload as DeviceAckPayload & { topic?: string; message?: { id?: string } };
  const id = p?.message?.id;
  if (typeof id !== 'string') return null;
  if (channel === 'mqtt' && typeof p.topic === 'string') return wireId(p.topic, id);
  if (channel === 'device' && typeof p.deviceId === 'string')
    return wireId(downTopic(p.deviceId, p.kind ?? 'sos-ack'), id);
  return null;
}

/**
 * The deliveries key of a message of an SOS conversation: the box's copy of a responder's text
 * (`msg:{id}`), or a person's copy of the household's (`msg:{id}:{person}`). A read receipt
 * names the message; this finds its row.
 */
export function messageKey(messageId: string, person?: string): string {
  return person === undefined ? `msg:${messageId}` : `msg:${messageId}:${person}`;
}

/** PUBACKs remembered while their row is not written yet (an SOS's first page, sent ahead). */
const EARLY_ACKS_MAX = 1_000;

/** Context of the rows of one incident decision: which incident and page step they belong to. */
interface RowOf {
  incident?: string;
  level?: number;
  reminder?: number;
  kind: string;
  person?: string;
  device?: string;
  afterKey?: string;
}

/**
 * Builds the outbox rows of pages, sos-acks and duty notices. A page step is written by the
 * incident store with its decision (inserting the step is what makes it happen, once); each
 * recipient × channel becomes a `deliveries` row the Deliverer sends after the commit; a person's
 * SMS/voice page waits (`held`) while their app page has `fallbackAfterMs` to be delivered, and
 * goes out only if it was not. Rows of a first page sent ahead of their commit are written with
 * the outcome they already had. Duty notices (handovers, summaries, refusals) are written at
 * once through `write`.
 */
export class Outbox {
  /** Notice rows inserted since the last `takeFresh()`: sent straight after their commit. */
  private fresh: DeliveryRow[] = [];
  /** outcomes of rows sent before their transaction (see `sentAhead`), by key */
  private readonly ahead = new Map<string, Outcome['status']>();
  /** wire ids whose PUBACK came before their row was written */
  private readonly earlyAcks = new Set<string>();
  /** keys built as delivered in the current decision (their SMS fallbacks are not needed) */
  private readonly deliveredNow = new Set<string>();
  /** keys built as undeliverable (nobody subscribed) in it: their fallbacks go at once */
  private readonly missedNow = new Set<string>();

  constructor(
    private readonly registry: Registry,
    private readonly notifiers: readonly Notifier[],
    /** Writes rows now (those whose key is new) and returns the inserted ones' ids. */
    private readonly write: (rows: readonly DeliveryInsert[], at: number) => { id: number; key: string }[],
    private readonly opts: { fallbackAfterMs: number } = { fallbackAfterMs: 15_000 },
  ) {}

  recipient(personId: string): Recipient | undefined {
    const p = this.registry.getPerson(personId);
    if (!p) return undefined;
    return { id: p.id, name: p.name, phone: p.phone, lang: p.lang, username: p.username };
  }

  /**
   * Starts the rows of a new decision: fallback bookkeeping is per decision, and notice rows
   * others wrote and did not take (a duty job's) are left to the pump, never handed on twice.
   */
  begin(): void {
    this.deliveredNow.clear();
    this.missedNow.clear();
    this.fresh = [];
  }

  /** The deliveries rows of a page step (the step itself is written by the store with them). */
  page(
    inc: Incident,
    step: PageStep,
    people: readonly string[],
    content: (to: Recipient) => PageContent,
    now: number,
  ): DeliveryInsert[] {
    return this.pageRows(inc, step, people, content).map((r) =>
      this.row(r.key, r.channel, r.payload, now, {
        incident: inc.id,
        level: step.level,
        reminder: step.reminder,
        kind: step.kind,
        person: r.person,
        ...(r.afterKey ? { afterKey: r.afterKey } : {}),
      }),
    );
  }

  /**
   * What a page step sends: one row per recipient × channel that reaches them; the SMS/voice
   * row of someone who also gets the app page is its fallback (`afterKey`). Builds nothing durable.
   */
  pageRows(
    inc: Incident,
    step: PageStep,
    people: readonly string[],
    content: (to: Recipient) => PageContent,
  ): PageRow[] {
    const rows: PageRow[] = [];
    for (const id of people) {
      const to = this.recipient(id);
      if (!to) continue;
      const c = content(to);
      const mine: PageRow[] = [];
      for (const n of this.notifiers) {
        const payload = n.render(c, to);
        if (payload === null) continue;
        const key = `page:${inc.id}:${step.level}:${step.reminder}:${step.kind}:${id}:${n.channel}`;
        mine.push({ key, channel: n.channel, payload, person: id });
      }
      const app = mine.find((r) => r.channel === 'mqtt');
      const sms = mine.find((r) => r.channel === 'webhook');
      if (app && sms && step.kind === 'alert') sms.afterKey = app.key;
      rows.push(...mine);
    }
    return rows;
  }

  /**
   * Rows with these keys were sent before their transaction (the first page of an SOS): they
   * are written with that outcome when the transaction writes them, and not handed to the
   * deliverer again.
   */
  sentAhead(outcomes: Iterable<[key: string, status: Outcome['status']]>): void {
    for (const [k, status] of outcomes) this.ahead.set(k, status);
  }

  /** A PUBACK for a row not written yet: the row is written as delivered. */
  ackedEarly(wire: string): void {
    if (this.earlyAcks.size >= EARLY_ACKS_MAX) this.earlyAcks.clear();
    this.earlyAcks.add(wire);
  }
  /** Drops keys `sentAhead` named that no transaction wrote (e.g. the roster changed meanwhile). */
  forgetAhead(keys: Iterable<string>): void {
    for (const k of keys) this.ahead.delete(k);
  }

  /** The row of a household's sos-ack. */
  sosAck(inc: Incident, deviceId: string, message: MessageInputOf<'sos-ack'>, now: number): DeliveryInsert {
    return this.row(`sos-ack:${message.id}`, 'device', { deviceId, message }, now, {
      incident: inc.id,
      kind: 'sos-ack',
      device: deviceId,
    });
  }

  /**
   * The rows of a household's message forwarded to the people paged for its incident: one per
   * person who has the app (their alert topic), delivered on their phone's PUBACK; read when
   * they open it. People without the app see it on the board's timeline.
   */
  forward(
    inc: Incident,
    messageId: string,
    people: readonly string[],
    alert: MessageInputOf<'alert'>,
    now: number,
  ): DeliveryInsert[] {
    const rows: DeliveryInsert[] = [];
    for (const person of people) {
      const to = this.recipient(person);
      if (!to || to.username === null) continue; // the mqtt notifier's rule: no login, no app
      const payload = { topic: workerAlertTopic(person), message: alert };
      rows.push(
        this.row(messageKey(messageId, person), 'mqtt', payload, now, {
          incident: inc.id,
          kind: 'message',
          person,
        }),
      );
    }
    return rows;
  }

  /** The row of a responder's text to the household's box (after its earlier sos-acks, in order). */
  sosMsg(inc: Incident, deviceId: string, message: MessageInputOf<'sos-msg'>, now: number): DeliveryInsert {
    const payload: DeviceAckPayload = { deviceId, kind: 'sos-msg', message };
    return this.row(messageKey(message.id), 'device', payload, now, {
      incident: inc.id,
      kind: 'sos-msg',
      device: deviceId,
    });
  }

  /** A duty notice (handover, daily summary) to one person on every channel that reaches them, written now. */
  notice(key: string, personId: string, content: PageContent, now: number): number {
    const to = this.recipient(personId);
    if (!to) return 0;
    const rows: DeliveryInsert[] = [];
    for (const ch of this.notifiers) {
      const payload = ch.render(content, to);
      if (payload === null) continue;
      rows.push(
        this.row(`${key}:${ch.channel}`, ch.channel, payload, now, { kind: content.kind, person: personId }),
      );
    }
    const written = this.write(rows, now);
    this.fresh.push(...freshRows(rows, written));
    return written.length;
  }

  /**
   * One row for a machine rather than a person (the rescue handover to the dispatch webhook),
   * written now unless its key was written before. Returns how many rows were inserted (0 or 1).
   */
  machine(
    key: string,
    channel: ChannelName,
    payload: unknown,
    incidentId: string,
    kind: string,
    now: number,
  ): number {
    return this.write([this.row(key, channel, payload, now, { incident: incidentId, kind })], now).length;
  }

  /** The notice rows inserted since the last call. */
  takeFresh(): DeliveryRow[] {
    const f = this.fresh;
    this.fresh = [];
    return f;
  }

  private row(key: string, channel: ChannelName, payload: unknown, now: number, o: RowOf): DeliveryInsert {
    if ((channel === 'webhook' || channel === 'dispatch') && payload && typeof payload === 'object') {
      (payload as { idempotencyKey?: string }).idempotencyKey = key;
    }
    const wire = wireIdOf(channel, payload);
    let ahead = this.ahead.get(key);
    this.ahead.delete(key);
    if (ahead !== undefined && wire !== null && this.earlyAcks.delete(wire)) ahead = 'delivered';
    if (ahead === undefined && o.afterKey !== undefined && this.deliveredNow.has(o.afterKey))
      ahead = 'not-needed';
    const sent = ahead !== undefined;
    const held = !sent && o.afterKey !== undefined && !this.missedNow.has(o.afterKey);
    if (ahead === 'delivered') this.deliveredNow.add(key);
    if (ahead === 'no-listener' || ahead === 'failed') this.missedNow.add(key);
    return {
      key,
      channel,
      payload: JSON.stringify(payload),
      incidentId: o.incident ?? null,
      level: o.level ?? null,
      reminder: o.reminder ?? null,
      kind: o.kind,
      person: o.person ?? null,
      device: o.device ?? null,
      status: ahead ?? (held ? 'held' : 'pending'),
      attempts: sent ? 1 : 0,
      nextTryAt: sent ? null : held ? now + this.opts.fallbackAfterMs : now,
      wireId: wire,
      afterKey: o.afterKey ?? null,
      deliveredAt: ahead === 'delivered' ? now : null,
    };
  }
}

/** The rows a commit inserted, as the deliverer takes them (rows sent ahead are not among them). */
export function freshRows(
  rows: readonly DeliveryInsert[],
  written: readonly { id: number; key: string }[],
): DeliveryRow[] {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const out: DeliveryRow[] = [];
  for (const w of written) {
    const r = byKey.get(w.key);
    if (!r || (r.status !== 'pending' && r.status !== 'held')) continue;
    out.push({
      id: w.id,
      key: r.key,
      channel: r.channel as ChannelName,
      device: r.device,
      payload: r.payload,
      attempts: r.attempts,
      ...(r.status === 'held' ? { afterKey: r.afterKey, heldUntil: r.nextTryAt ?? 0 } : {}),
    });
  }
  return out;
}
