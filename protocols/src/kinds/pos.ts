import { z } from 'zod';
import { envelopeShape, epochMsSchema, latSchema, lonSchema } from '../common.ts';

export const POS_MAX_FIXES = 500;

/**
 * One fix in compact array form, to save bytes on a metered link:
 * `[dtMs, lat, lon, altM, hdop, speedMps, courseDeg]`, where dtMs is the offset from the batch's
 * `t0`; the last four may be null when the receiver does not report them.
 */
export const compactFixSchema = z.tuple([
  z.number().int().min(0).max(86_400_000),
  latSchema,
  lonSchema,
  z.number().min(-500).max(9000).nullable(),
  z.number().min(0).max(100).nullable(),
  z.number().min(0).max(150).nullable(),
  z.number().min(0).max(360).nullable(),
]);
export type CompactFix = z.infer<typeof compactFixSchema>;

/** `sl/v1/{deviceId}/pos` — a batch of GPS fixes from a patrol tracker or a collar relay. */
export const posSchema = z.object({
  ...envelopeShape,
  t0: epochMsSchema.describe('fix time of the batch base; each fix adds its dtMs'),
  src: z.enum(['gpsd', 'nmea', 'sim', 'phone']).optional(),
  subject: z.string().min(1).max(64).optional().describe('collar or animal id when a relay reports for it'),
  fixes: z.array(compactFixSchema).min(1).max(POS_MAX_FIXES),
});
export type PosBatch = z.infer<typeof posSchema>;

/** A fix as code works with it. */
export interface Fix {
  t: number;
  lat: number;
  lon: number;
  alt?: number;
  hdop?: number;
  speed?: number;
  course?: number;
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r; // no -0: JSON sends it as 0, and the batch must equal what arrives
};
const orNull = (x: number | undefined, digits: number): number | null =>
  x === undefined ? null : round(x, digits);

/** Packs fixes into the compact form. Coordinates keep 6 decimals (≈0.1 m). Fixes need not be sorted: t0 is the earliest. */
export function packFixes(fixes: readonly Fix[]): { t0: number; fixes: CompactFix[] } {
  if (fixes.length === 0)
    throw new Error('packFixes needs at least one fix; send nothing instead of an empty batch');
  const t0 = fixes.reduce((min, f) => Math.min(min, f.t), Number.POSITIVE_INFINITY);
  return {
    t0,
    fixes: fixes.map((f) => [
      f.t - t0,
      round(f.lat, 6),
      round(f.lon, 6),
      orNull(f.alt, 1),
      orNull(f.hdop, 1),
      orNull(f.speed, 2),
      orNull(f.course, 1),
    ]),
  };
}

/** Expands a batch into fixes with absolute times. */
export function expandFixes(batch: Pick<PosBatch, 't0' | 'fixes'>): Fix[] {
  return batch.fixes.map(([dt, lat, lon, alt, hdop, speed, course]) => {
    const fix: Fix = { t: batch.t0 + dt, lat, lon };
    if (alt !== null) fix.alt = alt;
    if (hdop !== null) fix.hdop = hdop;
    if (speed !== null) fix.speed = speed;
    if (course !== null) fix.course = course;
    return fix;
  });
}
