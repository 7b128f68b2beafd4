/** Colours shared by the map and its legend (pure, so they are unit-tested). */
export type CoverageBand = 'fresh' | 'aging' | 'old' | 'never';

const HOUR = 3_600_000;

/** Time since the last patrol → band: < 24 h, 1–3 days, > 3 days, never. */
export function coverageBand(lastPatrolledAt: number | null, now: number): CoverageBand {
  if (lastPatrolledAt === null) return 'never';
  const age = now - lastPatrolledAt;
  if (age < 24 * HOUR) return 'fresh';
  if (age < 72 * HOUR) return 'aging';
  return 'old';
}

export const COVERAGE_COLORS: Record<CoverageBand, string> = {
  fresh: '#2fbf71',
  aging: '#f2b33d',
  old: '#e5484d',
  never: '#8b8fa3',
};

export const KIND_COLORS: Record<string, string> = {
  settop: '#4ea8ff',
  tracker: '#c77dff',
  'collar-relay': '#f2b33d',
  sensor: '#5fd4c4',
};

export const OFFLINE_COLOR = '#6b7080';
