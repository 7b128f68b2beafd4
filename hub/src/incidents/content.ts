import { createHash } from 'node:crypto';
import type { CannedReply, IncidentState, MessageInputOf, Texts } from '@steppelink/protocols';
import type { PageContent } from '../notify/port.ts';
import type { Registry } from '../registry/registry.ts';
import type { Incident } from './store.ts';
import { type Holder, prefixed, type Rescue, replyTexts, sosAckTexts } from './texts.ts';

/** What every text of a drill starts with (sos-acks, forwarded replies). */
const DRILL_PREFIX: Texts = { zh: '【演练】', mn: 'ᠳᠠᠰᠬᠠᠯ:', en: 'DRILL:' };
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const clipTexts = (t: Texts): Texts => ({ zh: clip(t.zh, 2000), mn: clip(t.mn, 2000), en: clip(t.en, 2000) });

/**
 * The answer to a worker's ack the hub did not apply: an `alert` on their own topic shaped like
 * a closing notice (asks nothing, due now, severity low), with no household, position or summary
 * of an incident they may not see.
 */
export function refusalContent(
  registry: Registry,
  o: {
    person: { roles: readonly { role: string }[] };
    unitId: string;
    inc: Incident | undefined;
    ack: { id: string; incidentId: string };
    texts: Texts;
    now: number;
  },
): PageContent {
  const texts = clipTexts(o.texts);
  const alert: MessageInputOf<'alert'> = {
    v: 1,
    id: clip(`rej-${o.ack.id}`, 64),
    ts: o.now,
    incidentId: o.ack.incidentId,
    source: o.inc?.source ?? 'sos',
    category: clip(o.inc?.category ?? 'unknown', 64),
    severity: 'low',
    summary: texts,
    unit: { id: o.unitId, name: clip(registry.getUnit(o.unitId)?.name.zh ?? o.unitId, 120) },
    level: 0,
    role: o.person.roles[0]?.role ?? 'grid-worker',
    ackBy: o.now,
    openedAt: o.inc?.openedAt ?? o.now,
  };
  return { kind: 'closing', severity: 'low', texts, alert, voice: false };
}

/** The page for one person at one level: the MQTT alert plus the texts the other channels carry. */
export function pageContent(
  registry: Registry,
  inc: Incident,
  o: {
    kind: 'alert' | 'closing';
    level: number;
    reminder: number;
    role: string;
    ackBy: number;
    now: number;
    texts: Texts;
    idSuffix?: string;
  },
): PageContent {
  const unit = registry.getUnit(inc.unit);
  const hh = inc.household ? registry.getHousehold(inc.household) : undefined;
  const summary = clipTexts(o.texts);
  const alert: MessageInputOf<'alert'> = {
    v: 1,
    id: clip(o.idSuffix ? `cls-${inc.id}-${o.idSuffix}` : `alr-${inc.id}-${o.level}-${o.reminder}`, 64),
    ts: o.now,
    incidentId: inc.id,
    source: inc.source,
    category: clip(inc.category, 64),
    severity: inc.severity,
    summary,
    unit: { id: inc.unit, name: clip(unit?.name.zh ?? inc.unit, 120) },
    level: Math.min(10, Math.max(0, o.level)),
    role: o.role,
    ackBy: o.ackBy,
    openedAt: inc.openedAt,
    reminder: o.reminder,
  };
  if (hh) {
    alert.household = { id: hh.id, name: clip(hh.name, 120), ...(hh.phone ? { phone: hh.phone } : {}) };
  }
  if (inc.pos)
    alert.pos = {
      lat: inc.pos.lat,
      lon: inc.pos.lon,
      ...(inc.pos.acc !== undefined ? { acc: inc.pos.acc } : {}),
    };
  if (inc.lateMs > 0) alert.lateMs = inc.lateMs;
  return {
    kind: o.kind,
    severity: inc.severity,
    texts: summary,
    alert,
    incidentId: inc.id,
    level: o.level,
    voice: inc.severity === 'critical' && o.kind === 'alert',
    ackBy: o.ackBy,
  };
}

/** The sos-ack for the household's box after a state change. */
export function sosAckMessage(
  inc: Incident,
  o: {
    n: number;
    now: number;
    state: IncidentState;
    by?: Holder;
    previous?: string;
    rescue?: Rescue;
    lateMs?: number;
    byHousehold?: boolean;
  },
): MessageInputOf<'sos-ack'> {
  const msg: MessageInputOf<'sos-ack'> = {
    v: 1,
    id: clip(`ack-${inc.id}-${o.n}`, 64),
    ts: o.now,
    incidentId: inc.id,
    sosId: inc.sosId ?? inc.id,
    state: o.state,
    texts: clipTexts(sosAckTexts(o.state, o)),
  };
  if (o.by) {
    msg.by = { name: clip(o.by.name, 120), role: o.by.role, ...(o.by.phone ? { phone: o.by.phone } : {}) };
  }
  if (o.rescue) msg.rescue = o.rescue;
  if (inc.drill) {
    msg.drill = true;
    msg.texts = clipTexts(prefixed(DRILL_PREFIX, msg.texts));
  }
  return msg;
}

/** An alert id for a message forwarded to a phone: the message id prefixed, or its hash when that would not fit 64. */
function forwardId(messageId: string): string {
  const id = `rpl-${messageId}`;
  return id.length <= 64 ? id : `rpl-${createHash('sha256').update(messageId).digest('hex').slice(0, 48)}`;
}

/**
 * The household's reply forwarded to a paged responder (issue #27): an `alert` on their own topic
 * shaped like a closing notice (asks nothing, `ackBy` = now), its summary the reply in zh/mn/en
 * and `message` the reply itself (canned code, text), so a phone shows it in its own language.
 */
export function replyAlert(
  registry: Registry,
  inc: Incident,
  o: { message: { id: string; canned?: CannedReply; text?: string }; now: number },
): MessageInputOf<'alert'> {
  const hh = inc.household ? registry.getHousehold(inc.household) : undefined;
  const unit = registry.getUnit(inc.unit);
  const level = Math.min(10, Math.max(0, inc.level));
  const { id, canned, text } = o.message;
  const said = replyTexts({
    ...(hh ? { household: hh.name } : {}),
    deviceId: inc.device ?? inc.id,
    ...(canned ? { canned } : {}),
    ...(text !== undefined ? { text } : {}),
  });
  const alert: MessageInputOf<'alert'> = {
    v: 1,
    id: forwardId(id),
    ts: o.now,
    incidentId: inc.id,
    source: inc.source,
    category: clip(inc.category, 64),
    severity: inc.severity,
    summary: clipTexts(inc.drill ? prefixed(DRILL_PREFIX, said) : said),
    unit: { id: inc.unit, name: clip(unit?.name.zh ?? inc.unit, 120) },
    level,
    role: inc.chain[level]?.role ?? 'grid-worker',
    ackBy: o.now,
    openedAt: inc.openedAt,
    message: { id, ...(canned ? { canned } : {}), ...(text !== undefined ? { text } : {}) },
  };
  if (hh) alert.household = { id: hh.id, name: clip(hh.name, 120), ...(hh.phone ? { phone: hh.phone } : {}) };
  return alert;
}

/** A responder's text for the household's box (`down/sos-msg`). */
export function sosMsgMessage(
  inc: Incident,
  o: { id: string; text: string; by: Holder; now: number },
): MessageInputOf<'sos-msg'> {
  return {
    v: 1,
    id: o.id,
    ts: o.now,
    incidentId: inc.id,
    sosId: inc.sosId ?? inc.id,
    from: { name: clip(o.by.name, 120), role: o.by.role },
    text: o.text,
    ...(inc.drill ? { drill: true as const } : {}),
  };
}
