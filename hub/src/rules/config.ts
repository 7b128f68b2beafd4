import { unitIdSchema } from '@steppelink/protocols';
import { z } from 'zod';
import { RULES_DEFAULTS, type RulesSettings } from './defaults.ts';

const DAY_MS = 86_400_000;
const ms = (max = 365 * DAY_MS) => z.number().int().min(0).max(max);
const metres = (min = 0) => z.number().min(min).max(100_000);

/**
 * The rules config (JSON): any subset of the defaults. Unknown keys are refused so that a typo
 * ("strayDebounceMS") is an error, not a silently ignored setting.
 */
export const rulesConfigSchema = z
  .object({
    strayOutsideMarginM: metres(),
    strayInsideMarginM: metres(),
    strayDebounceMs: ms(),
    strayClearMs: ms(),
    borderBufferM: metres(1),
    borderHysteresisM: metres(),
    borderDebounceMs: ms(),
    borderClearMs: ms(),
    crossingMarginM: metres(),
    crossingDebounceMs: ms(),
    crossingClearMs: ms(),
    banMarginM: metres(),
    banDebounceMs: ms(),
    banClearMs: ms(),
    timeZoneOffsetMin: z.number().int().min(-720).max(840),
    staleAlertMs: ms(),
    alertMaxAgeMs: ms(),
    maxFutureSkewMs: ms(),
    segmentLengthM: metres(100),
    patrolPassM: metres(1),
    patrolJoinMaxGapMs: ms(),
    patrolGapMaxMs: ms().min(60_000),
    patrolGapMaxMsByUnit: z.record(unitIdSchema, ms().min(60_000)),
    manDownRadiusM: metres(1),
    manDownClearRadiusM: metres(1),
    manDownAfterMs: ms().min(60_000),
    patrolMinTravelM: metres(),
    patrolActiveWindowMs: ms(),
    offlineAfterMs: z
      .object({ settop: ms(), tracker: ms(), 'collar-relay': ms(), sensor: ms() })
      .partial()
      .strict(),
    lowBatteryPct: z.number().min(0).max(100),
    lowBatteryClearPct: z.number().min(0).max(100),
    onBatteryAlertAfterMs: ms(),
    powerCutWindowMs: ms(),
    powerCutMinBoxes: z.number().int().min(1).max(10_000),
    powerCutMinShare: z.number().min(0).max(1),
    powerCutClearBelowBoxes: z.number().int().min(1).max(10_000),
    tickMs: z.number().int().min(100).max(3_600_000),
    maxSubjects: z.number().int().min(100).max(10_000_000),
    subjectIdleMs: ms(),
    maxOpenConditions: z.number().int().min(100).max(10_000_000),
  })
  .partial()
  .strict();
export type RulesConfig = z.infer<typeof rulesConfigSchema>;

export interface ConfigIssue {
  path: string;
  message: string;
}

/** Zod issues as data: a dotted path and a message saying what to change. */
export function toIssues(error: z.ZodError, prefix = ''): ConfigIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.'),
    message: i.message,
  }));
}

/** Merges config layers over the defaults (later layers win; `offlineAfterMs` and per-unit policies merge by key). */
export function resolveSettings(...layers: (RulesConfig | undefined)[]): RulesSettings {
  const out: RulesSettings = {
    ...RULES_DEFAULTS,
    offlineAfterMs: { ...RULES_DEFAULTS.offlineAfterMs },
    patrolGapMaxMsByUnit: { ...RULES_DEFAULTS.patrolGapMaxMsByUnit },
  };
  for (const layer of layers) {
    if (!layer) continue;
    const { offlineAfterMs, patrolGapMaxMsByUnit, ...flat } = layer;
    Object.assign(out, flat);
    Object.assign(out.offlineAfterMs, offlineAfterMs ?? {});
    Object.assign(out.patrolGapMaxMsByUnit, patrolGapMaxMsByUnit ?? {});
  }
  return out;
}

/** Settings that parse one by one but contradict each other (hysteresis inverted, windows misordered). */
export function checkSettings(s: RulesSettings): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const need = (ok: boolean, path: string, message: string) => {
    if (!ok) issues.push({ path, message });
  };
  need(
    s.lowBatteryClearPct > s.lowBatteryPct,
    'lowBatteryClearPct',
    `must be above lowBatteryPct (${s.lowBatteryPct}) so a charging battery does not flap`,
  );
  need(
    s.manDownClearRadiusM >= s.manDownRadiusM,
    'manDownClearRadiusM',
    `must be at least manDownRadiusM (${s.manDownRadiusM})`,
  );
  need(
    s.onBatteryAlertAfterMs >= s.powerCutWindowMs,
    'onBatteryAlertAfterMs',
    `must be at least powerCutWindowMs (${s.powerCutWindowMs}) so a village power cut is recognised before single boxes alert`,
  );
  need(
    s.powerCutClearBelowBoxes <= s.powerCutMinBoxes,
    'powerCutClearBelowBoxes',
    `must be at most powerCutMinBoxes (${s.powerCutMinBoxes})`,
  );
  need(s.patrolPassM < s.segmentLengthM, 'patrolPassM', `must be below segmentLengthM (${s.segmentLengthM})`);
  return issues;
}

export type ParsedConfig = { ok: true; config: RulesConfig } | { ok: false; issues: ConfigIssue[] };

/** Validates a config document against the schema and against the defaults it overrides. */
export function parseRulesConfig(input: unknown, base: RulesConfig[] = []): ParsedConfig {
  const parsed = rulesConfigSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
  const issues = checkSettings(resolveSettings(...base, parsed.data));
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config: parsed.data };
}
