import type { Lang } from './common.ts';

/** Every way a payload can be refused, in the order decode checks them. */
export const WIRE_ERROR_CODES = [
  'too_large',
  'not_utf8',
  'not_json',
  'not_object',
  'unsupported_version',
  'schema',
  'unknown_kind',
] as const;
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number];

export interface WireIssue {
  code: string;
  path: (string | number)[];
  message: string;
}

/** A decode failure as data: a code to count by, a path into the message, a message for logs. */
export interface WireError {
  code: WireErrorCode;
  path: (string | number)[];
  message: string;
  issues?: WireIssue[];
}

const MESSAGES: Record<WireErrorCode, Record<Lang, string>> = {
  too_large: { zh: '消息过大', mn: 'ᠮᠡᠳᠡᠭᠡ ᠬᠡᠲᠦ ᠶᠡᠬᠡ', en: 'message too large' },
  not_utf8: { zh: '不是 UTF-8 文本', mn: 'UTF-8 ᠪᠢᠴᠢᠭ ᠪᠢᠰᠢ', en: 'not UTF-8 text' },
  not_json: { zh: '不是合法的 JSON', mn: 'JSON ᠪᠢᠰᠢ', en: 'not valid JSON' },
  not_object: {
    zh: '消息必须是 JSON 对象',
    mn: 'JSON ᠣᠪᠢᠶᠧᠺᠲ ᠪᠠᠢᠬᠤ ᠬᠡᠷᠡᠭᠲᠡᠢ',
    en: 'message must be a JSON object',
  },
  unsupported_version: {
    zh: '不支持的消息版本',
    mn: 'ᠬᠤᠪᠢᠯᠪᠤᠷᠢ ᠳᠡᠮᠵᠢᠭᠳᠡᠬᠦ ᠦᠭᠡᠢ',
    en: 'unsupported message version',
  },
  schema: { zh: '字段不符合格式', mn: 'ᠲᠠᠯᠠᠪᠤᠷ ᠪᠤᠷᠤᠭᠤ', en: 'fields do not match the schema' },
  unknown_kind: { zh: '未知的消息类型', mn: 'ᠦᠯᠦ ᠮᠡᠳᠡᠭᠳᠡᠬᠦ ᠲᠥᠷᠥᠯ', en: 'unknown message kind' },
};

/** A short, translated headline for an error code; the detailed `message` stays in English for logs. */
export function describeWireError(error: Pick<WireError, 'code'>, lang: Lang): string {
  return MESSAGES[error.code][lang];
}
