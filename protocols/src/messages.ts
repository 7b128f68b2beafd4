import type { z } from 'zod';
import { alertSchema, workerAckSchema } from './kinds/alert.ts';
import { configSchema } from './kinds/config.ts';
import { grazingSchema } from './kinds/grazing.ts';
import { hbSchema } from './kinds/hb.ts';
import { noticeSchema } from './kinds/notice.ts';
import { posSchema } from './kinds/pos.ts';
import { receiptSchema } from './kinds/receipt.ts';
import { sosSchema } from './kinds/sos.ts';
import { sosAckSchema } from './kinds/sos-ack.ts';
import { sosMsgSchema } from './kinds/sos-msg.ts';
import { sosReplySchema } from './kinds/sos-reply.ts';
import { workerReplySchema } from './kinds/worker-reply.ts';

export interface MessageKindSpec<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** Schema versions this build understands (the `v` field). */
  versions: readonly number[];
  direction: 'up' | 'down' | 'worker-down' | 'worker-up';
  summary: string;
}

const spec = <S extends z.ZodType>(
  schema: S,
  direction: MessageKindSpec['direction'],
  summary: string,
): MessageKindSpec<S> => ({ schema, versions: [1], direction, summary });

/** Every message kind on the wire, by the name used in its topic. */
export const MESSAGES = {
  sos: spec(sosSchema, 'up', 'SOS raise or confirmed cancel from a household box or patrol tracker'),
  pos: spec(posSchema, 'up', 'Batch of GPS fixes in compact array form'),
  grazing: spec(
    grazingSchema,
    'up',
    'Remote-grazing readings: collars, water points, gate counters, cameras',
  ),
  hb: spec(hbSchema, 'up', 'Heartbeat with device health'),
  receipt: spec(receiptSchema, 'up', 'Delivery or read receipt for a notice'),
  'sos-reply': spec(
    sosReplySchema,
    'up',
    "The household's reply during its SOS (canned code or short text), or a read receipt for a sos-msg",
  ),
  notice: spec(noticeSchema, 'down', 'Notice for household boxes, in Chinese, Mongolian and English'),
  'sos-ack': spec(sosAckSchema, 'down', 'Feedback to the household on its SOS: state and who has it'),
  config: spec(configSchema, 'down', 'Settings pushed to one device'),
  'sos-msg': spec(sosMsgSchema, 'down', "A responder's short text to the household during its SOS"),
  alert: spec(alertSchema, 'worker-down', "Incident paged to a worker's phone"),
  'worker-ack': spec(workerAckSchema, 'worker-up', "A worker's acknowledgement of an alert"),
  'worker-reply': spec(
    workerReplySchema,
    'worker-up',
    "A responder's phone in the SOS conversation: a short text for the household, or a read receipt",
  ),
} as const;

export type MessageKind = keyof typeof MESSAGES;
export const MESSAGE_KINDS = Object.keys(MESSAGES) as MessageKind[];
/** The decoded (output) type of a kind. */
export type MessageOf<K extends MessageKind> = z.output<(typeof MESSAGES)[K]['schema']>;
/** What a producer may pass to encode (defaults not yet applied). */
export type MessageInputOf<K extends MessageKind> = z.input<(typeof MESSAGES)[K]['schema']>;
