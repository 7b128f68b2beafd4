import {
  encode,
  type Fix,
  type GrazingReading,
  grazingReadingSchema,
  type MessageInputOf,
  packFixes,
  type UpKind,
  upTopic,
} from '@steppelink/protocols';
import { z } from 'zod';
import type { BatchSpec } from './batcher.ts';
import type { NewEntry } from './outbox/port.ts';

/** Validates and encodes one upstream message into an outbox entry. Errors are returned, not thrown. */
export function toEntry<K extends UpKind>(
  deviceId: string,
  kind: K,
  message: MessageInputOf<K> & { id: string },
  createdMs: number,
): NewEntry | Error {
  const encoded = encode(kind, message);
  if (!encoded.ok) return new Error(`cannot encode ${kind}: ${encoded.error.message}`);
  return { kind, topic: upTopic(deviceId, kind), msgId: message.id, payload: encoded.value, createdMs };
}

/** A fix as staged in the outbox: the protocol's Fix plus where it came from. */
export const stagedFixSchema = z.object({
  t: z.number(),
  lat: z.number(),
  lon: z.number(),
  alt: z.number().optional(),
  hdop: z.number().optional(),
  speed: z.number().optional(),
  course: z.number().optional(),
  src: z.enum(['gpsd', 'nmea', 'sim', 'phone']).optional(),
});
export type StagedFix = z.infer<typeof stagedFixSchema>;

/** Fixes in one batch span less than this: compact dtMs is bounded to one day by the protocol. */
const POS_SPAN_MAX_MS = 86_000_000;

interface SpecContext {
  deviceId: string;
  nextId(): string;
  now(): number;
}

const parseFix = (item: string): StagedFix => stagedFixSchema.parse(JSON.parse(item));

/** Batching of `pos` and `pos/<subject>` streams into compact position batches. */
export function posBatchSpec(ctx: SpecContext, maxItems: number, maxAgeMs: number): BatchSpec {
  return {
    maxItems,
    maxAgeMs,
    span: { of: (item) => parseFix(item).t, max: POS_SPAN_MAX_MS },
    build(items, stream) {
      const fixes = items.map(parseFix);
      const subject = stream.includes('/') ? stream.slice(stream.indexOf('/') + 1) : undefined;
      const packed = packFixes(fixes.map(({ src: _src, ...f }): Fix => f));
      const id = ctx.nextId();
      const src = fixes[0]?.src;
      const now = ctx.now();
      return toEntry(
        ctx.deviceId,
        'pos',
        { v: 1, id, ts: now, ...packed, ...(src ? { src } : {}), ...(subject ? { subject } : {}) },
        now,
      );
    },
  };
}

/** Batching of sensor readings into `grazing` messages. */
export function grazingBatchSpec(ctx: SpecContext, maxItems: number, maxAgeMs: number): BatchSpec {
  return {
    maxItems,
    maxAgeMs,
    build(items) {
      const readings = items.map((i): GrazingReading => grazingReadingSchema.parse(JSON.parse(i)));
      const id = ctx.nextId();
      const now = ctx.now();
      return toEntry(ctx.deviceId, 'grazing', { v: 1, id, ts: now, readings }, now);
    },
  };
}
