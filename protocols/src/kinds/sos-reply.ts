import { z } from 'zod';
import { envelopeShape, type Texts } from '../common.ts';
import { messageIdSchema } from '../ids.ts';

/**
 * The replies a household picks with the remote control during its SOS. A closed list: each has
 * its phrase in every reader's language (CANNED_REPLY_TEXTS), so a responder reads "需要医生" or
 * "need a doctor" whatever language the box is set to.
 */
export const CANNED_REPLIES = [
  'need-doctor',
  'fire',
  'cannot-move',
  'safe',
  'injured',
  'snowed-in',
  'lost-livestock',
] as const;
export const cannedReplySchema = z.enum(CANNED_REPLIES);
export type CannedReply = z.infer<typeof cannedReplySchema>;

/** Mongolian case suffixes are joined with U+202F (see hub/src/incidents/texts.ts); `_` marks it here. */
const t = (zh: string, mn: string, en: string): Texts => ({ zh, mn: mn.replaceAll('_', '\u202f'), en });

/** The phrase of each canned reply, as a responder or the household reads it. */
export const CANNED_REPLY_TEXTS: Record<CannedReply, Texts> = {
  'need-doctor': t('需要医生', 'ᠡᠮᠴᠢ ᠬᠡᠷᠡᠭᠲᠡᠢ', 'need a doctor'),
  fire: t('着火了', 'ᠭᠠᠯ ᠭᠠᠷᠴᠠᠢ', 'fire'),
  'cannot-move': t('无法行动', 'ᠬᠥᠳᠡᠯᠵᠦ ᠴᠢᠳᠠᠬᠤ ᠦᠭᠡᠢ', "can't move"),
  safe: t('我们安全了', 'ᠪᠢᠳᠡ ᠡᠰᠡᠨ ᠮᠡᠨᠳᠦ ᠪᠠᠢᠨ᠎ᠠ', 'we are safe'),
  injured: t('有人受伤', 'ᠬᠦᠮᠦᠨ ᠭᠡᠮᠳᠡᠭᠰᠡᠨ', 'someone is injured'),
  'snowed-in': t('被雪困住', 'ᠴᠠᠰᠤᠨ_ᠳᠤ ᠬᠠᠭᠠᠭᠳᠠᠭᠰᠠᠨ', 'snowed in'),
  'lost-livestock': t('牲畜走失', 'ᠮᠠᠯ ᠲᠡᠭᠡᠷᠢᠭᠰᠡᠨ', 'livestock lost'),
};

/**
 * Short text typed during an SOS (on the box with the remote, on a phone, on the board): one
 * line, at most SHORT_TEXT_MAX_CHARS characters (code points) and SHORT_TEXT_MAX_BYTES bytes of
 * UTF-8, so it fits a TV line, a phone notification and, later, one SMS segment set.
 */
export const SHORT_TEXT_MAX_CHARS = 140;
export const SHORT_TEXT_MAX_BYTES = 420; // 140 Chinese or Mongolian characters are 3 bytes each
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const encoder = new TextEncoder();

export const shortTextSchema = z
  .string()
  .superRefine((s, ctx) => {
    const problem = shortTextProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(
    `one line of text: 1-${SHORT_TEXT_MAX_CHARS} characters, at most ${SHORT_TEXT_MAX_BYTES} bytes of UTF-8, no control characters`,
  );

/** Why a short text is refused (undefined: fine). The message says what to change. */
export function shortTextProblem(s: string): string | undefined {
  if (s.trim().length === 0) return 'must not be empty or only spaces';
  if (LONE_SURROGATE.test(s))
    return 'contains a broken character (a lone UTF-16 surrogate); send valid Unicode';
  if (CONTROL.test(s)) return 'must be one line without control characters (no line breaks or tabs)';
  const chars = [...s].length;
  if (chars > SHORT_TEXT_MAX_CHARS) {
    return `is ${chars} characters; at most ${SHORT_TEXT_MAX_CHARS} are allowed: shorten it`;
  }
  const bytes = encoder.encode(s).byteLength;
  if (bytes > SHORT_TEXT_MAX_BYTES) {
    return `is ${bytes} bytes of UTF-8; at most ${SHORT_TEXT_MAX_BYTES} are allowed: shorten it`;
  }
  return undefined;
}

const say = z
  .object({
    ...envelopeShape,
    type: z.literal('say'),
    sosId: messageIdSchema.describe('id of the SOS raise this conversation belongs to'),
    incidentId: messageIdSchema.optional().describe('the incident, once a sos-ack has named it'),
    canned: cannedReplySchema.optional().describe('a reply picked from the list'),
    text: shortTextSchema.optional(),
  })
  .refine((m) => m.canned !== undefined || m.text !== undefined, {
    message: 'a reply needs a canned code or a text (or both)',
    path: ['canned'],
  });

const read = z.object({
  ...envelopeShape,
  type: z.literal('read'),
  sosId: messageIdSchema.describe('id of the SOS raise this conversation belongs to'),
  incidentId: messageIdSchema.optional(),
  messageId: messageIdSchema.describe('id of the sos-msg shown on the screen'),
});

/**
 * `sl/v1/{deviceId}/sos-reply` — the household's side of the conversation during its SOS: a
 * canned reply and/or short text (`say`), or a read receipt for a responder's `sos-msg` shown on
 * the TV (`read`). Bound to the SOS by `sosId`; the hub refuses it once that incident is closed.
 */
export const sosReplySchema = z.discriminatedUnion('type', [say, read]);
export type SosReply = z.infer<typeof sosReplySchema>;
