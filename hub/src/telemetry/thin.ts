/**
 * Downsampling a track "evenly in time", the same way in every adapter: the span between the
 * first and the last fix inside the queried range is cut into at most `maxPoints` buckets of
 * equal width, and each non-empty bucket keeps its first (earliest) fix. Every returned point is
 * a real stored fix, never an interpolated one; the first fix is always kept; gaps in a patrol's
 * track stay gaps (so a track with long rests may come back with fewer than maxPoints fixes).
 */

/** Bucket width in ms for the span [firstT, lastT] and a point budget; at least 1 ms. */
export function bucketWidthMs(firstT: number, lastT: number, maxPoints: number): number {
  checkMaxPoints(maxPoints);
  return Math.max(1, Math.ceil((lastT - firstT + 1) / maxPoints));
}

/** Bucket index of a time inside [firstT, lastT]. */
export const bucketOf = (t: number, firstT: number, widthMs: number): number =>
  Math.floor((t - firstT) / widthMs);

export function checkMaxPoints(maxPoints: number): void {
  if (!Number.isInteger(maxPoints) || maxPoints < 1) {
    throw new RangeError(
      `track: maxPoints must be a positive integer, got ${maxPoints}; omit it for every point`,
    );
  }
}

/**
 * Streaming thinner for fixes arriving in ascending time order: `keep(t)` says whether the fix
 * opens a new bucket (and so is kept).
 */
export function createThinner(
  firstT: number,
  lastT: number,
  maxPoints: number,
): { keep(t: number): boolean } {
  const width = bucketWidthMs(firstT, lastT, maxPoints);
  let last = Number.NEGATIVE_INFINITY;
  return {
    keep(t: number): boolean {
      const b = bucketOf(t, firstT, width);
      if (b === last) return false;
      last = b;
      return true;
    },
  };
}

/** Thins an ascending array: the reference the adapters' queries must match. */
export function thinSorted<T extends { t: number }>(points: readonly T[], maxPoints?: number): T[] {
  if (maxPoints === undefined) return [...points];
  checkMaxPoints(maxPoints);
  const first = points[0];
  const last = points.at(-1);
  if (points.length <= maxPoints || !first || !last) return [...points];
  const thinner = createThinner(first.t, last.t, maxPoints);
  return points.filter((p) => thinner.keep(p.t));
}
