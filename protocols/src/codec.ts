import type { z } from 'zod';
import type { WireError, WireIssue } from './errors.ts';
import { FAST_VALIDATORS } from './fast-validate.ts';
import { MESSAGES, type MessageInputOf, type MessageKind, type MessageOf } from './messages.ts';
import { err, ok, type Result } from './result.ts';

/** Payloads above this are refused before parsing (the broker enforces the same bound). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

const isKind = (kind: string): kind is MessageKind => Object.hasOwn(MESSAGES, kind);

/** Shows a version field in an error message; never throws (a BigInt or a cycle would make JSON.stringify throw). */
function showVersion(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v);
  return `a ${Array.isArray(v) ? 'array' : typeof v}`;
}

function issuesOf(error: z.ZodError): WireIssue[] {
  return error.issues.slice(0, 20).map((i) => ({
    code: i.code,
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: i.message,
  }));
}

function schemaError(issues: WireIssue[]): WireError {
  const first = issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  return {
    code: 'schema',
    path: first?.path ?? [],
    message: `${where}${first?.message ?? 'invalid'}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    issues,
  };
}

/** Validates a value already parsed from JSON (e.g. an HTTP body) as a message of `kind`. */
export function validate<K extends MessageKind>(kind: K, value: unknown): Result<MessageOf<K>, WireError>;
export function validate(kind: string, value: unknown): Result<unknown, WireError>;
export function validate(kind: string, value: unknown): Result<unknown, WireError> {
  if (!isKind(kind))
    return err({ code: 'unknown_kind', path: [], message: `unknown message kind ${JSON.stringify(kind)}` });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return err({ code: 'not_object', path: [], message: 'message must be a JSON object' });
  }
  const spec = MESSAGES[kind];
  const v = (value as { v?: unknown }).v;
  if (!spec.versions.includes(v as number)) {
    return err({
      code: 'unsupported_version',
      path: ['v'],
      message: `${kind} message has v=${showVersion(v)}; supported versions: v=${spec.versions.join(', v=')}`,
    });
  }
  const parsed = spec.schema.safeParse(value);
  return parsed.success ? ok(parsed.data) : err(schemaError(issuesOf(parsed.error)));
}

/** Decodes a payload received on the wire. Never throws: every failure is a WireError. */
export function decode<K extends MessageKind>(
  kind: K,
  payload: Uint8Array | string,
): Result<MessageOf<K>, WireError>;
export function decode(kind: string, payload: Uint8Array | string): Result<unknown, WireError>;
export function decode(kind: string, payload: Uint8Array | string): Result<unknown, WireError> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES) {
    return err({
      code: 'too_large',
      path: [],
      message: `payload is ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES}`,
    });
  }
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch {
    return err({ code: 'not_utf8', path: [], message: 'payload is not valid UTF-8' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return err({ code: 'not_json', path: [], message: `payload is not JSON: ${(e as Error).message}` });
  }
  // The hot kinds skip zod when a hand-written check is sure; every doubt and every error is zod's.
  const fast = FAST_VALIDATORS.get(kind)?.(value);
  return fast !== undefined ? ok(fast) : validate(kind, value);
}

/** Validates and serialises a message. Returns an error (not a throw) so callers can record it. */
export function encode<K extends MessageKind>(
  kind: K,
  message: MessageInputOf<K>,
): Result<Buffer, WireError> {
  const checked = validate(kind, message as unknown);
  if (!checked.ok) return checked;
  const bytes = Buffer.from(encoder.encode(JSON.stringify(checked.value)));
  if (bytes.byteLength > MAX_PAYLOAD_BYTES) {
    return err({
      code: 'too_large',
      path: [],
      message: `encoded ${kind} is ${bytes.byteLength} bytes; the limit is ${MAX_PAYLOAD_BYTES}`,
    });
  }
  return ok(bytes);
}

/** Like encode, but throws: for producers whose input is already trusted (the hub's own messages). */
export function encodeOrThrow<K extends MessageKind>(kind: K, message: MessageInputOf<K>): Buffer {
  const r = encode(kind, message);
  if (!r.ok) throw new Error(`cannot encode ${kind}: ${r.error.message}`);
  return r.value;
}
