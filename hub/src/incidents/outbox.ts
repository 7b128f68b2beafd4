import { downTopic, type MessageInputOf } from '@steppelink/protocols';
import type { DeliveryRow } from '../notify/deliverer.ts';
import type { ChannelName, Notifier, Outcome, PageContent, Recipient } from '../notify/port.ts';

export type { DeliveryRow };
import type { RegistryStore } from '../registry/store.ts';
import type { Db } from '../state/db.ts';
import type { Incident } from './store.ts';

export type PageKind = 'alert' | 'closing';
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
  const p = payload as { topic?: string; deviceId?: string; message?: { id?: string } };
  const id = p?.message?.id;
  if (typeof id !== 'string') return null;
  if (channel === 'mqtt' && typeof p.topic === 'string') return wireId(p.topic, id);
  if (channel === 'device' && typeof p.deviceId === 'string')
    return wireId(downTopic(p.deviceId, 'sos-ack'), id);
  return null;
}

/** PUBACKs remembered while their row is not written yet (an SOS's first page, sent ahead). */
const EARLY_ACKS_MAX = 1_000;

/**
 * Writes pages and deliveries inside the engine's transactions. A page step is a row keyed
 * (incident, level, reminder, kind): inserting it is what makes the step happen, and it can
 * be inserted once only. Each recipient × channel becomes a `deliveries` row that the
 * Deliverer sends after the commit; a person's SMS/voice page waits (`held`) while their app
 * page has `fallbackAfterMs` to be delivered, and goes out only if it was not.
 */
export class Outbox {
  private readonly insertPage;
  private readonly insertDelivery;
  private readonly pagedStmt;
  private readonly ackCount;
  /** Rows inserted since the last `takeFresh()`: the engine sends its new pages straight after the commit. */
  private fresh: DeliveryRow[] = [];
  /** outcomes of rows sent before their transaction (see `sentAhead`), by key */
  private readonly ahead = new Map<string, Outcome['status']>();
  /** wire ids whose PUBACK came before their row was written */
  private readonly earlyAcks = new Set<string>();
  /** keys written as delivered since the last `takeFresh()` (their SMS fallbacks are not needed) */
  private readonly deliveredNow = new Set<string>();
  /** keys written as undeliverable (nobody subscribed) since then: their fallbacks go at once */
  private readonly missedNow = new Set<string>();

  constructor(
    db: Db,
    private readonly registry: RegistryStore,
    private readonly notifiers: readonly Notifier[],
    private readonly opts: { fallbackAfterMs: number } = { fallbackAfterMs: 15_000 },
  ) {
    this.insertPage = db.prepare(
      `INSERT OR IGNORE INTO pages (incident_id, level, reminder, kind, at, ack_by_at, people)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertDelivery = db.prepare(
      `INSERT OR IGNORE INTO deliveries (key, incident_id, level, reminder, kind, person, device, channel, payload,
         status, attempts, next_try_at, created_at, updated_at, wire_id, after_key, delivered_at)
       VALUES (@key, @incident, @level, @reminder, @kind, @person, @device, @channel, @payload, @status, @attempts,
         @next, @now, @now, @wire, @after, @deliveredAt)`,
    );
    this.pagedStmt = db.prepare(
      `SELECT level, people FROM pages WHERE incident_id = ? AND kind = 'alert' ORDER BY level, reminder`,
    );
    this.ackCount = db
      .prepare(`SELECT count(*) FROM deliveries WHERE incident_id = ? AND channel = 'device'`)
      .pluck();
  }

  recipient(personId: string): Recipient | undefined {
    const p = this.registry.getPerson(personId);
    if (!p) return undefined;
    return { id: p.id, name: p.name, phone: p.phone, lang: p.lang, username: p.username };
  }

  /** Records the page step and its deliveries; returns false when the step was already done. */
  page(
    inc: Incident,
    step: PageStep,
    people: readonly string[],
    content: (to: Recipient) => PageContent,
    now: number,
  ): boolean {
    const done = this.insertPage.run(
      inc.id,
      step.level,
      step.reminder,
      step.kind,
      now,
      step.ackBy,
      JSON.stringify(people),
    );
    if (done.changes === 0) return false;
    for (const r of this.pageRows(inc, step, people, content)) {
      this.add(r.key, r.channel, r.payload, now, {
        incident: inc.id,
        level: step.level,
        reminder: step.reminder,
        kind: step.kind,
        person: r.person,
        ...(r.afterKey ? { afterKey: r.afterKey } : {}),
      });
    }
    return true;
  }

  /**
   * What a page step sends: one row per recipient × channel that reaches them; the SMS/voice
   * row of someone who also gets the app page is its fallback (`afterKey`). Writes nothing.
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

  /** Everyone paged with an alert for this incident, optionally at one level only. */
  paged(incidentId: string, level?: number): string[] {
    const out = new Set<string>();
    for (const r of this.pagedStmt.all(incidentId) as { level: number; people: string }[]) {
      if (level !== undefined && r.level !== level) continue;
      for (const p of JSON.parse(r.people) as string[]) out.add(p);
    }
    return [...out];
  }

  nextAckNumber(incidentId: string): number {
    return (this.ackCount.get(incidentId) as number) + 1;
  }

  sosAck(inc: Incident, deviceId: string, message: MessageInputOf<'sos-ack'>, now: number): void {
    this.add(`sos-ack:${message.id}`, 'device', { deviceId, message }, now, {
      incident: inc.id,
      kind: 'sos-ack',
      device: deviceId,
    });
  }

  /** A duty notice (handover, daily summary) to one person on every channel that reaches them. */
  notice(key: string, personId: string, content: PageContent, now: number): number {
    const to = this.recipient(personId);
    if (!to) return 0;
    let n = 0;
    for (const ch of this.notifiers) {
      const payload = ch.render(content, to);
      if (payload === null) continue;
      n += this.add(`${key}:${ch.channel}`, ch.channel, payload, now, {
        kind: content.kind,
        person: personId,
      });
    }
    return n;
  }

  /** The rows inserted since the last call (call it before a transaction to start clean). */
  takeFresh(): DeliveryRow[] {
    const f = this.fresh;
    this.fresh = [];
    this.deliveredNow.clear();
    this.missedNow.clear();
    return f;
  }

  private add(
    key: string,
    channel: ChannelName,
    payload: unknown,
    now: number,
    o: {
      incident?: string;
      level?: number;
      reminder?: number;
      kind: string;
      person?: string;
      device?: string;
      afterKey?: string;
    },
  ): number {
    if (channel === 'webhook' && payload && typeof payload === 'object') {
      (payload as { idempotencyKey?: string }).idempotencyKey = key;
    }
    const text = JSON.stringify(payload);
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
    const r = this.insertDelivery.run({
      status: ahead ?? (held ? 'held' : 'pending'),
      attempts: sent ? 1 : 0,
      next: sent ? null : held ? now + this.opts.fallbackAfterMs : now,
      wire,
      after: o.afterKey ?? null,
      deliveredAt: ahead === 'delivered' ? now : null,
      key,
      incident: o.incident ?? null,
      level: o.level ?? null,
      reminder: o.reminder ?? null,
      kind: o.kind,
      person: o.person ?? null,
      device: o.device ?? null,
      channel,
      payload: text,
      now,
    });
    if (r.changes === 1 && !sent) {
      this.fresh.push({
        id: Number(r.lastInsertRowid),
        key,
        channel,
        device: o.device ?? null,
        payload: text,
        attempts: 0,
        ...(held ? { afterKey: o.afterKey, heldUntil: now + this.opts.fallbackAfterMs } : {}),
      });
    }
    return r.changes;
  }
}
