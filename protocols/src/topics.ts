import { isValidId } from './ids.ts';
import { err, ok, type Result } from './result.ts';

export const TOPIC_ROOT = 'sl';
export const TOPIC_VERSION = 'v1';
const PREFIX = `${TOPIC_ROOT}/${TOPIC_VERSION}/`;
/** Longer topics are refused before any work is done on them. */
export const TOPIC_MAX_LENGTH = 256;

export const UP_KINDS = ['sos', 'pos', 'grazing', 'hb', 'receipt', 'sos-reply'] as const;
export type UpKind = (typeof UP_KINDS)[number];
export const DOWN_KINDS = ['notice', 'sos-ack', 'config', 'sos-msg'] as const;
export type DownKind = (typeof DOWN_KINDS)[number];
/** First segments after `sl/v1/` that are not device ids. */
export const RESERVED_IDS = ['unit', 'worker', 'down', 'hub'] as const;

export type ParsedTopic =
  | { type: 'up'; deviceId: string; kind: UpKind }
  | { type: 'down'; deviceId: string; kind: DownKind }
  | { type: 'unit-notice'; unitId: string }
  | { type: 'worker-alert'; workerId: string }
  | { type: 'worker-ack'; workerId: string }
  | { type: 'worker-reply'; workerId: string };

export const TOPIC_ERROR_CODES = ['foreign', 'malformed', 'bad_id', 'unknown_kind', 'too_long'] as const;
export type TopicErrorCode = (typeof TOPIC_ERROR_CODES)[number];
export interface TopicError {
  code: TopicErrorCode;
  topic: string;
  message: string;
}

const isUpKind = (k: string): k is UpKind => (UP_KINDS as readonly string[]).includes(k);
const isDownKind = (k: string): k is DownKind => (DOWN_KINDS as readonly string[]).includes(k);
const isReserved = (id: string): boolean => (RESERVED_IDS as readonly string[]).includes(id);

export function isValidDeviceId(id: string): boolean {
  return isValidId(id) && !isReserved(id);
}

function checkId(id: string, what: string): void {
  if (!isValidId(id)) {
    throw new TypeError(
      `Invalid ${what} ${JSON.stringify(id)}: use 1-64 letters, digits or . _ : - (no +, #, /), starting with a letter or digit.`,
    );
  }
}
function checkKind(kind: string, kinds: readonly string[], what: string): void {
  if (!kinds.includes(kind)) {
    throw new TypeError(`Unknown ${what} kind ${JSON.stringify(kind)}: use one of ${kinds.join(', ')}.`);
  }
}
function checkDeviceId(id: string): void {
  checkId(id, 'device id');
  if (isReserved(id)) throw new TypeError(`Device id ${JSON.stringify(id)} is reserved; choose another id.`);
}

/** `sl/v1/{deviceId}/{kind}`. Builders throw on a bad id: that is a programming error, not input. */
export function upTopic(deviceId: string, kind: UpKind): string {
  checkDeviceId(deviceId);
  checkKind(kind, UP_KINDS, 'upstream');
  return `${PREFIX}${deviceId}/${kind}`;
}
/** `sl/v1/{deviceId}/down/{kind}` */
export function downTopic(deviceId: string, kind: DownKind): string {
  checkDeviceId(deviceId);
  checkKind(kind, DOWN_KINDS, 'downstream');
  return `${PREFIX}${deviceId}/down/${kind}`;
}
/** `sl/v1/{deviceId}/down/#` — what a device subscribes to. */
export function downWildcard(deviceId: string): string {
  checkDeviceId(deviceId);
  return `${PREFIX}${deviceId}/down/#`;
}
/** `sl/v1/unit/{unitId}/notice` */
export function unitNoticeTopic(unitId: string): string {
  checkId(unitId, 'unit id');
  return `${PREFIX}unit/${unitId}/notice`;
}
/** `sl/v1/worker/{workerId}/alert` */
export function workerAlertTopic(workerId: string): string {
  checkId(workerId, 'worker id');
  return `${PREFIX}worker/${workerId}/alert`;
}
/** `sl/v1/worker/{workerId}/ack` */
export function workerAckTopic(workerId: string): string {
  checkId(workerId, 'worker id');
  return `${PREFIX}worker/${workerId}/ack`;
}

/** `sl/v1/worker/{workerId}/reply` — the phone's side of the SOS conversation (issue #27). */
export function workerReplyTopic(workerId: string): string {
  checkId(workerId, 'worker id');
  return `${PREFIX}worker/${workerId}/reply`;
}

const fail = (code: TopicErrorCode, topic: string, message: string) =>
  err<TopicError>({ code, topic: topic.length > 80 ? `${topic.slice(0, 80)}…` : topic, message });

/** The upstream kind that is exactly `topic[from..]` (same length, same ending), without slicing. */
function upKindAt(topic: string, from: number): UpKind | undefined {
  switch (topic.length - from) {
    case 2:
      return topic.endsWith('hb') ? 'hb' : undefined;
    case 3:
      return topic.endsWith('sos') ? 'sos' : topic.endsWith('pos') ? 'pos' : undefined;
    case 7:
      return topic.endsWith('grazing') ? 'grazing' : topic.endsWith('receipt') ? 'receipt' : undefined;
    case 9:
      return topic.endsWith('sos-reply') ? 'sos-reply' : undefined;
    default:
      return undefined;
  }
}

/** Parses any SteppeLink topic. Never throws; a foreign or malformed topic is a typed error. */
export function parseTopic(topic: string): Result<ParsedTopic, TopicError> {
  // Fast path for what the hub sees on every message, an upstream topic with a good device id: it
  // accepts exactly what the full parse accepts for that shape and leaves everything else to it.
  // The kind is all that follows the first slash, so there is no third segment.
  if (typeof topic === 'string' && topic.length <= TOPIC_MAX_LENGTH && topic.startsWith(PREFIX)) {
    const slash = topic.indexOf('/', PREFIX.length);
    const kind = slash === -1 ? undefined : upKindAt(topic, slash + 1);
    if (kind !== undefined) {
      const deviceId = topic.slice(PREFIX.length, slash);
      if (isValidDeviceId(deviceId)) return ok({ type: 'up', deviceId, kind });
    }
  }
  return parseTopicFully(topic);
}

/** The full parse, every shape; parseTopic's fast path must agree with it (topics-fast-path.test.ts). */
export function parseTopicFully(topic: string): Result<ParsedTopic, TopicError> {
  if (typeof topic !== 'string') return fail('malformed', String(topic), 'topic must be a string');
  if (topic.length > TOPIC_MAX_LENGTH) {
    return fail('too_long', topic, `topic is longer than ${TOPIC_MAX_LENGTH} characters`);
  }
  if (!topic.startsWith(PREFIX)) return fail('foreign', topic, `topic does not start with ${PREFIX}`);
  const parts = topic.slice(PREFIX.length).split('/');
  const [a, b, c] = parts;
  if (a === undefined || b === undefined || parts.some((p) => p === '')) {
    return fail('malformed', topic, 'topic has empty or missing segments');
  }
  if (a === 'unit' || a === 'worker') {
    if (parts.length !== 3 || c === undefined)
      return fail('malformed', topic, `expected ${PREFIX}${a}/{id}/{kind}`);
    if (!isValidId(b)) return fail('bad_id', topic, `invalid ${a} id`);
    if (a === 'unit' && c === 'notice') return ok({ type: 'unit-notice', unitId: b });
    if (a === 'worker' && c === 'alert') return ok({ type: 'worker-alert', workerId: b });
    if (a === 'worker' && c === 'ack') return ok({ type: 'worker-ack', workerId: b });
    if (a === 'worker' && c === 'reply') return ok({ type: 'worker-reply', workerId: b });
    return fail('unknown_kind', topic, `unknown ${a} topic kind ${JSON.stringify(c)}`);
  }
  if (!isValidDeviceId(a)) return fail('bad_id', topic, 'invalid device id');
  if (parts.length === 2) {
    return isUpKind(b)
      ? ok({ type: 'up', deviceId: a, kind: b })
      : fail(
          'unknown_kind',
          topic,
          `unknown upstream kind ${JSON.stringify(b)}; expected one of ${UP_KINDS.join(', ')}`,
        );
  }
  if (parts.length === 3 && b === 'down' && c !== undefined) {
    return isDownKind(c)
      ? ok({ type: 'down', deviceId: a, kind: c })
      : fail(
          'unknown_kind',
          topic,
          `unknown downstream kind ${JSON.stringify(c)}; expected one of ${DOWN_KINDS.join(', ')}`,
        );
  }
  return fail('malformed', topic, 'expected sl/v1/{deviceId}/{kind} or sl/v1/{deviceId}/down/{kind}');
}
