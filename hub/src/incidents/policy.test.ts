import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastLeague } from '../api/test-support.ts';
import { importText } from '../registry/import.ts';
import { openSqliteRegistry } from '../registry/sqlite-store.ts';
import { openDatabase } from '../state/db.ts';
import { DEFAULT_POLICY } from './defaults.ts';
import { escalationPolicySchema, policiesSectionSchema, resolvePolicy, type StoredPolicy } from './policy.ts';
import { PolicyStore } from './policy-store.ts';

const MIN = 60_000;
const base = {
  ackTimeoutMs: [5 * MIN],
  reminderEveryMs: 0,
  topReminderEveryMs: 10 * MIN,
  topReminders: 2,
  dispatchTimeoutMs: null,
};

describe('escalation policies (issue #24)', () => {
  it('refuses a bad policy with every reason, naming the field and the limit', () => {
    const r = escalationPolicySchema.safeParse({
      ackTimeoutMs: [10_000, 3 * MIN],
      reminderEveryMs: 5_000,
      topReminderEveryMs: 10 * MIN,
      topReminders: 3,
      dispatchTimeoutMs: null,
      escalateFaster: true,
    });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'ackTimeoutMs.0: an ack window must be at least 30 s',
        expect.stringMatching(/^reminderEveryMs: /),
        expect.stringMatching(/escalateFaster/),
      ]),
    );
    expect(escalationPolicySchema.safeParse({ ...base, ackTimeoutMs: [] }).error!.issues[0]!.message).toMatch(
      /at least one ack window/,
    );
    // every default is a valid policy
    for (const p of Object.values(DEFAULT_POLICY))
      expect(escalationPolicySchema.safeParse(p).success).toBe(true);
  });

  it('is inherited down the tree: the nearest unit’s, else the league’s, else the default', () => {
    const stored = new Map<string, StoredPolicy>();
    const put = (unit: string | null, ack: number) =>
      stored.set(`${unit}:critical`, {
        unit,
        severity: 'critical',
        policy: { ...base, ackTimeoutMs: [ack] },
        version: 1,
        updatedBy: null,
        updatedAt: 0,
      });
    const get = (u: string | null, s: string) => stored.get(`${u}:${s}`);
    const chain = ['150824-104-007-03', '150824-104-007', '150824-104', '150824', '150800'];
    expect(resolvePolicy(get, chain, 'critical')).toEqual({ ...DEFAULT_POLICY.critical, source: 'default' });
    put(null, 9 * MIN);
    expect(resolvePolicy(get, chain, 'critical').source).toBe('unit:*:critical@1');
    put('150824', 7 * MIN); // a remote banner lengthens its windows
    expect(resolvePolicy(get, chain, 'critical')).toMatchObject({
      ackTimeoutMs: [7 * MIN],
      source: 'unit:150824:critical@1',
    });
    put('150824-104-007', 4 * MIN);
    expect(resolvePolicy(get, chain, 'critical').ackTimeoutMs).toEqual([4 * MIN]);
    expect(resolvePolicy(get, ['150825-201', '150825', '150800'], 'critical').ackTimeoutMs).toEqual([
      9 * MIN,
    ]);
    expect(resolvePolicy(get, chain, 'high').source).toBe('default'); // per severity
    // property: whichever units of the chain have one, the nearest wins
    fc.assert(
      fc.property(fc.subarray(chain), (have) => {
        const m = new Map(have.map((u) => [u, { ...base, ackTimeoutMs: [chain.indexOf(u) * MIN + MIN] }]));
        const got = resolvePolicy(
          (u) =>
            u && m.has(u)
              ? {
                  unit: u,
                  severity: 'critical',
                  policy: m.get(u)!,
                  version: 1,
                  updatedBy: null,
                  updatedAt: 0,
                }
              : undefined,
          chain,
          'critical',
        );
        const nearest = chain.find((u) => m.has(u));
        expect(got.source).toBe(nearest ? `unit:${nearest}:critical@1` : 'default');
      }),
    );
  });

  it('is stored with versions and an audit row per change, and read back after a restart', () => {
    const db = openDatabase(':memory:');
    const s = new PolicyStore(db);
    s.set([{ unit: '150824', severity: 'critical', policy: base }], 'p-league', 1000);
    s.set([{ unit: '150824', severity: 'critical', policy: base }], 'p-league', 2000); // unchanged: no new version
    s.set([{ unit: '150824', severity: 'critical', policy: { ...base, topReminders: 5 } }], 'p-saren', 3000);
    expect(s.get('150824', 'critical')).toMatchObject({ version: 2, updatedBy: 'p-saren', updatedAt: 3000 });
    expect(new PolicyStore(db).resolve(['150824'], 'critical').source).toBe('unit:150824:critical@2');
    expect(s.delete('150824', 'critical', 'p-league', 4000)).toBe(true);
    expect(s.resolve(['150824'], 'critical').source).toBe('default');
    expect(
      s.audit().map((a) => [a.action, a.by, a.before?.topReminders ?? null, a.after?.topReminders ?? null]),
    ).toEqual([
      ['delete', 'p-league', 5, null],
      ['set', 'p-saren', 2, 5],
      ['set', 'p-league', null, 2],
    ]);
  });

  it('reads the registry document’s policies section, refusing unknown fields', () => {
    expect(policiesSectionSchema.parse([{ severity: 'high', policy: base }])).toEqual([
      { unit: null, severity: 'high', policy: base },
    ]);
    expect(
      policiesSectionSchema.safeParse([{ unit: '150824', severity: 'urgent', policy: base }]).success,
    ).toBe(false);
  });

  it('is imported with the registry document, in its transaction, or the import is refused', async () => {
    const db = openDatabase(':memory:');
    const registry = openSqliteRegistry(db);
    const policies = new PolicyStore(db, (f) => registry.onChange(f));
    const doc = fastLeague();
    const bad = await importText(
      registry,
      JSON.stringify({ ...doc, policies: [{ unit: '159999', severity: 'critical', policy: base }] }),
      { type: 'json' },
    );
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toMatch(/unit 159999 is not in the registry/);
    expect(policies.list()).toEqual([]); // nothing written, the rest of the document neither
    const tooShort = await importText(
      registry,
      JSON.stringify({
        ...doc,
        policies: [{ severity: 'critical', policy: { ...base, ackTimeoutMs: [1000] } }],
      }),
      { type: 'json' },
    );
    expect(JSON.stringify(tooShort)).toMatch(/at least 30 s/);
    const ok = await importText(
      registry,
      JSON.stringify({ ...doc, policies: [{ unit: '150824', severity: 'critical', policy: base }] }),
      { type: 'json' },
    );
    expect(ok.ok).toBe(true);
    expect(policies.resolve(['150824-104', '150824'], 'critical')).toMatchObject({
      ackTimeoutMs: base.ackTimeoutMs,
      source: 'unit:150824:critical@1',
    });
    expect(policies.audit()[0]).toMatchObject({ by: 'registry-import', unit: '150824', after: base });
    registry.close();
  });
});
