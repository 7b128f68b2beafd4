import type { Grazing, PosBatch } from '@steppelink/protocols';
import type { IngestKind } from './accept-queue.ts';

/**
 * Device clock plausibility (issue #20). Every upstream message carries source times (`ts`; the
 * fix times of a `pos` batch; each grazing reading's `t`). A time more than `toleranceMs` ahead
 * of the hub's receive time cannot be true: it is replaced by the receive time, so a box whose
 * clock says 2096 cannot pin its latest position or state. Times in the past are left alone:
 * store-and-forward after a long outage delivers old times legitimately.
 */

/** The time to keep for source time `t` of a message received at `receivedAt`. */
export function trustedTime(t: number, receivedAt: number, toleranceMs: number): number {
  return t - receivedAt > toleranceMs ? receivedAt : t;
}

/**
 * Replaces, in place, every source time of a decoded message that lies beyond receive time plus
 * tolerance by the receive time. Returns how far ahead the furthest one was (ms), or 0 when all
 * were plausible (the message is then untouched). One comparison per time field, no allocation
 * on the plausible path.
 */
export function clampSourceTimes(
  kind: IngestKind,
  msg: { ts: number },
  receivedAt: number,
  toleranceMs: number,
): number {
  const limit = receivedAt + toleranceMs;
  let ahead = 0;
  if (msg.ts > limit) {
    ahead = msg.ts - receivedAt;
    msg.ts = receivedAt;
  }
  if (kind === 'pos') ahead = Math.max(ahead, clampFixes(msg as PosBatch, receivedAt, limit));
  else if (kind === 'grazing') {
    for (const r of (msg as Grazing).readings) {
      if (r.t > limit) {
        ahead = Math.max(ahead, r.t - receivedAt);
        r.t = receivedAt;
      }
    }
  }
  return ahead;
}

/**
 * Fixes are `t0 + dt`. Each fix beyond the limit moves to the receive time; the batch is then
 * re-based on its earliest time so every dt stays ≥ 0. Plausible fixes keep their times.
 */
function clampFixes(b: PosBatch, receivedAt: number, limit: number): number {
  let last = 0;
  for (const f of b.fixes) if (f[0] > last) last = f[0];
  if (b.t0 + last <= limit) return 0; // the common case: the latest fix is plausible
  let ahead = 0;
  let t0 = Number.POSITIVE_INFINITY;
  const times = b.fixes.map((f) => {
    const t = b.t0 + f[0];
    if (t <= limit) {
      t0 = Math.min(t0, t);
      return t;
    }
    ahead = Math.max(ahead, t - receivedAt);
    t0 = Math.min(t0, receivedAt);
    return receivedAt;
  });
  b.t0 = t0;
  b.fixes.forEach((f, i) => {
    f[0] = times[i]! - t0;
  });
  return ahead;
}
