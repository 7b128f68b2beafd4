/**
 * Hysteresis with debounce, in source time. Each observation says the condition is clearly `on`
 * (e.g. outside the pasture by more than the margin), clearly `off` (back inside by more than
 * the margin) or `hold` (in the band between: changes nothing, resets nothing). The condition
 * turns on after being `on` continuously (no `off` in between) for `onAfterMs`, and off after
 * being `off` for `offAfterMs`. Only in-order observations may be stepped (the caller drops
 * late ones), so out-of-order fixes cannot flap it.
 *
 * `raised` says whether an alert went out for the current on-period: a condition may turn on
 * silently (the observation was already stale) and is raised at the next fresh `on` observation.
 */
export type Level = 'on' | 'off' | 'hold';

export interface LatchState {
  active: boolean;
  /** Source time the pending change (on while off, off while on) was first seen; null when none. */
  pendingSince: number | null;
  raised: boolean;
  /** Source time the condition turned on (null while off). */
  activeSince: number | null;
  /** Source time of the last observation stepped. */
  lastT: number;
}

export interface LatchTiming {
  onAfterMs: number;
  offAfterMs: number;
}

export type LatchEvent = 'raise' | 'clear' | 'silent-on' | 'silent-off' | 'pending' | 'reset' | null;

export const idleLatch = (t: number): LatchState => ({
  active: false,
  pendingSince: null,
  raised: false,
  activeSince: null,
  lastT: t,
});

/** A latch that is off with nothing pending carries no information and need not be kept. */
export const isIdle = (s: LatchState): boolean => !s.active && s.pendingSince === null && !s.raised;

/**
 * Steps the latch with one observation at source time `t` (mutates `s`). `fresh` says whether an
 * alert raised by this observation would still be news (see the staleness rules in the engine).
 * Returns what happened: 'raise'/'clear' need an alert action; the others only change state.
 */
export function stepLatch(
  s: LatchState,
  t: number,
  level: Level,
  timing: LatchTiming,
  fresh: boolean,
): LatchEvent {
  if (t < s.lastT) return null; // never step backwards in source time
  s.lastT = t;
  if (level === 'hold') return null;
  const wantsChange = s.active ? level === 'off' : level === 'on';
  if (!wantsChange) {
    if (s.active && !s.raised && fresh) {
      s.raised = true; // on since a stale observation; this fresh one confirms it
      return 'raise';
    }
    if (s.pendingSince === null) return null;
    s.pendingSince = null;
    return 'reset';
  }
  s.pendingSince ??= t;
  const waited = t - s.pendingSince;
  if (waited < (s.active ? timing.offAfterMs : timing.onAfterMs)) return 'pending';
  s.pendingSince = null;
  if (!s.active) {
    s.active = true;
    s.activeSince = t;
    if (!fresh) return 'silent-on';
    s.raised = true;
    return 'raise';
  }
  s.active = false;
  s.activeSince = null;
  if (!s.raised) return 'silent-off';
  s.raised = false;
  return 'clear';
}
