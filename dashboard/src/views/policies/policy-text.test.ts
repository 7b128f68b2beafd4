import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../../hub/src/incidents/defaults.ts';
import { translator } from '../../i18n/index.ts';
import { originOf, reescalateText, reminderText, topText, windowsText } from './policy-text.ts';

const en = translator('en');

/** README's table of defaults ("Escalation policies"): severity → its four cells. */
function readmeDefaults(): Map<string, string[]> {
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  const rows = readme
    .slice(readme.indexOf('### Escalation policies'))
    .split('\n')
    .filter((l) => /^\| (critical|high|medium|low) /.test(l));
  return new Map(
    rows.map((l) => {
      const [sev, ...cells] = l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      return [sev!.split(' ')[0]!, cells];
    }),
  );
}

describe('a policy in words', () => {
  it('says the defaults as README’s table does', () => {
    const table = readmeDefaults();
    expect([...table.keys()]).toEqual(['critical', 'high', 'medium', 'low']);
    for (const [sev, p] of Object.entries(DEFAULT_POLICY)) {
      expect([sev, ...table.get(sev)!]).toEqual([
        sev,
        windowsText(p.ackTimeoutMs, en),
        p.reminderEveryMs === 0 ? 'none' : reminderText(p.reminderEveryMs, en),
        topText(p.topReminderEveryMs, p.topReminders, en),
        reescalateText(p.dispatchTimeoutMs, en),
      ]);
    }
  });

  it('writes the unit once for a list in minutes, in each language', () => {
    expect(windowsText([180_000, 300_000], translator('zh'))).toBe('3、5分');
    expect(windowsText([30_000, 90_000], en)).toBe('30 s, 1.5 min');
    expect(windowsText([7 * 86_400_000], en)).toBe('7 d');
  });

  it('tells where a unit’s policy comes from', () => {
    expect(originOf('default', '150824')).toEqual({ kind: 'default' });
    expect(originOf('unit:*:critical@3', '150824')).toEqual({ kind: 'league', version: 3 });
    expect(originOf('unit:150824:critical@2', '150824')).toEqual({ kind: 'this', version: 2 });
    expect(originOf('unit:150824:high@1', '150824-104')).toEqual({
      kind: 'inherited',
      unit: '150824',
      version: 1,
    });
  });
});
