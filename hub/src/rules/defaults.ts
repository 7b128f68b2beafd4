/**
 * Defaults of the rules engine. Units are in the names; every value can be overridden by the
 * rules config (JSON, `config.ts`), through `createRulesModule({ config })` or `PUT /api/rules/config`.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const RULES_DEFAULTS = {
  // ---- stray (outside the household's pasture and virtual fences) ----
  strayOutsideMarginM: 50, // out only when beyond the edge by more than this: collar GPS jitters 10–30 m
  strayInsideMarginM: 20, // back only when inside by more than this (the band between holds the state)
  strayDebounceMs: 10 * MIN, // out this long before alerting: a walk along the fence line is not a stray
  strayClearMs: 10 * MIN, // back this long before the alert clears

  // ---- border buffer and crossing ----
  borderBufferM: 2000, // livestock closer than this to the border line raises border-approach
  borderHysteresisM: 300, // the approach ends only beyond buffer + this
  borderDebounceMs: 2 * MIN, // in the buffer this long before alerting (short: the border matters)
  borderClearMs: 15 * MIN, // out of the buffer this long before the alert clears
  crossingMarginM: 75, // beyond the line by more than this counts as crossed (GPS multipath ≈ 50 m)
  crossingDebounceMs: MIN, // a second fix beyond the line at least this much later confirms a crossing
  crossingClearMs: 15 * MIN, // back on our side (by the margin) this long before the crossing clears

  // ---- grazing bans and rest-grazing ----
  banMarginM: 30, // inside (outside) a ban area by more than this counts as in (out)
  banDebounceMs: 15 * MIN, // in a closed area this long before alerting
  banClearMs: 15 * MIN, // out (or the season over) this long before the alert clears
  timeZoneOffsetMin: 480, // ban dates are local calendar days: China Standard Time, UTC+8, no DST

  // ---- late and out-of-order positions ----
  staleAlertMs: 15 * MIN, // a transition older than this behind the subject's newest fix never raises
  alertMaxAgeMs: 6 * HOUR, // a fix older than this (hub clock) never raises, e.g. a relay's backlog
  maxFutureSkewMs: 5 * MIN, // a fix stamped further ahead of the hub clock is ignored (device clock gone wrong)

  // ---- patrol coverage and man-down ----
  segmentLengthM: 1000, // border split into segments of this length for coverage
  patrolPassM: 500, // a segment counts as patrolled when a tracker fix passes within this distance
  patrolJoinMaxGapMs: 10 * MIN, // consecutive tracker fixes closer in time than this are joined by a line
  patrolGapMaxMs: 2 * DAY, // a segment unpatrolled longer than this raises patrol-gap...
  patrolGapMaxMsByUnit: {} as Record<string, number>, // ...unless its unit (or an ancestor, e.g. the banner) has its own policy
  manDownRadiusM: 30, // a tracker that moved less than this is stationary
  manDownClearRadiusM: 100, // moving more than this from where it stopped ends a man-down
  manDownAfterMs: 20 * MIN, // stationary this long during a patrol raises man-down
  patrolMinTravelM: 1000, // travelled this far within the active window = on patrol
  patrolActiveWindowMs: 2 * HOUR, // how far back travel counts toward "on patrol"

  // ---- device health ----
  offlineAfterMs: {
    settop: 30 * MIN, // a household box heartbeats every few minutes on mains
    tracker: 10 * MIN, // a patrol tracker out of contact during a patrol is urgent
    'collar-relay': 2 * HOUR, // solar relays sleep and batch their uplinks
    sensor: 2 * HOUR, // water/gate sensors report rarely
  },
  lowBatteryPct: 20, // battery at or below this raises low-battery
  lowBatteryClearPct: 30, // and it clears at or above this (charging noise does not flap)
  onBatteryAlertAfterMs: 15 * MIN, // one box on battery this long raises on-battery (longer than the power-cut window)
  powerCutWindowMs: 10 * MIN, // boxes of one gacha switching to battery within this window = one power cut
  powerCutMinBoxes: 3, // at least this many boxes...
  powerCutMinShare: 0.25, // ...and at least this share of the gacha's set-top boxes
  powerCutClearBelowBoxes: 2, // the power cut clears when fewer boxes than this are still on battery

  // ---- bookkeeping ----
  tickMs: 30_000, // offline/patrol-gap checks, pruning and persistence flush
  maxSubjects: 200_000, // per-subject state kept in memory (LRU beyond); a league has ~100k devices
  subjectIdleMs: 3 * DAY, // per-subject state not touched this long is pruned
  maxOpenConditions: 100_000, // pending/active rule conditions kept; beyond, the oldest pending ones are dropped
};

export type RulesSettings = typeof RULES_DEFAULTS;
