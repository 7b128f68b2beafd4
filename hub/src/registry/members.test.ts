import { describe, expect, it } from 'vitest';
import { householdSchema } from './schema.ts';

const household = (members: unknown[]) => ({
  id: 'hh-150824-104-0007',
  grid: '150824-104-007-03',
  name: '其其格',
  location: { lat: 42.1213, lon: 108.4382 },
  members,
});

describe('household members (rescue handover, #24)', () => {
  it('keeps a year of birth and medical notes beside name, phone and note', () => {
    const r = householdSchema.parse(
      household([{ name: '巴雅尔', born: 1948, medical: '高血压，服硝苯地平', note: '行动不便' }]),
    );
    expect(r.members).toEqual([
      { name: '巴雅尔', born: 1948, medical: '高血压，服硝苯地平', note: '行动不便' },
    ]);
  });

  it('refuses an age given as a year of birth that is not one, and says what to give', () => {
    for (const born of [78, 1948.5, '1948']) {
      const r = householdSchema.safeParse(household([{ name: '巴雅尔', born }]));
      expect(r.success).toBe(false);
      const issue = r.error!.issues[0]!;
      expect(issue.path).toEqual(['members', 0, 'born']);
      if (typeof born === 'number') expect(issue.message).toBe('must be the year of birth, e.g. 1948');
    }
    const long = householdSchema.safeParse(household([{ name: '巴雅尔', medical: '药'.repeat(301) }]));
    expect(long.success).toBe(false);
  });
});
