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
 * on the plausible path. Several future times in one message (fixes of a batch, readings) keep
 * their order 1 ms apart, the last at receive time, so the store keeps each instead of one
 * overwriting the others on the same key.
 */
export function clampSourceTimes(
  kind: IngestKind,
  msg: { ts: number },
  receivedAt: number,
  toleranceMs: number,
): number {
  const limit = receivedAt + toleranceMs;
  let ahead = 0;
  const ts = trustedTime(msg.ts, receivedAt, toleranceMs);
  if (ts !== msg.ts) {
    ahead = msg.ts - receivedAt;
    msg.ts = ts;
  }
  if (kind === 'pos') ahead = Math.max(ahead, clampFixes(msg as PosBatch, receivedAt, limit));
  else if (kind === 'grazing') ahead = Math.max(ahead, clampReadings(msg as Grazing, receivedAt, limit));
  return ahead;
}

/** The time given to the j-th of k future times of one message: 1 ms apart, the last at receive time. */
const spaced = (receivedAt: number, j: number, k: number) => receivedAt - (k - 1 - j);

function clampReadings(m: Grazing, receivedAt: number, limit: number): number {
  let k = 0;
  let ahead = 0;
  for (const r of m.readings) {
    if (r.t > limit) {
      k++;
      ahead = Math.max(ahead, r.t - receivedAt);
    }
  }
  if (k === 0) return 0;
  let j = 0;
  for (const r of m.readings) if (r.t > limit) r.t = spaced(receivedAt, j++, k);
  return ahead;
}

/**
 * Fixes are `t0 + dt`. Future fixes move to receive time (see `spaced`); the batch is then
 * re-based on its earliest time so every dt stays ≥ 0. Plausible fixes keep their times.
 */
function clampFixes(b: PosBatch, receivedAt: number, limit: number): number {
  let last = 0;
  for (const f of b.fixes) if (f[0] > last) last = f[0];
  if (b.t0 + last <= limit) return 0; // the common case: the latest fix is plausible
  const times = b.fixes.map((f) => b.t0 + f[0]);
  const k = times.filter((t) => t > limit).length;
  let ahead = 0;
  let j = 0;
  times.forEach((t, i) => {
    if (t <= limit) return;
    ahead = Math.max(ahead, t - receivedAt);
    times[i] = spaced(receivedAt, j++, k);
  });
  const t0 = Math.min(...times);
  b.t0 = t0;
  b.fixes.forEach((f, i) => {
    f[0] = times[i]! - t0;
  });
  return ahead;
}
