import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChainStep } from '../duty/chain.ts';
import {
  ACTIONS,
  type CoreConfig,
  type Decision,
  decide,
  type IncidentCore,
  type IncidentEvent,
  type World,
} from './decide.ts';
import { DEFAULT_POLICY, INCIDENT_DEFAULTS } from './defaults.ts';
import { escalationPolicySchema, type IncidentPolicy, MIN_ACK_WINDOW_MS } from './policy.ts';
import { isClosed } from './store.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 7, 2, 0); // 10:00 in Urad Middle Banner

/** An SOS chain as escalationChain builds it for a household in Hailiutu sumu. */
const CHAIN: ChainStep[] = [
  { unit: 'grid-150824-104-01', role: 'grid-worker' },
  { unit: 'grid-150824-104-01', role: 'grid-leader' },
  { unit: 'gacha-150824-104', role: 'village-secretary' },
  { unit: 'sumu-150824-104', role: 'station-officer' },
  { unit: 'banner-150824', role: 'banner-duty-officer' },
];
const PEOPLE = ['p-batu', 'p-saruul', 'p-wang', 'p-oyun', 'p-liu', 'p-gerel'];
const NAMES = Object.fromEntries(PEOPLE.map((p) => [p, p.slice(2)]));

const cfg: CoreConfig = {
  policy: DEFAULT_POLICY,
  repeatWindowMs: INCIDENT_DEFAULTS.repeatWindowMs,
  rerouteEveryMs: INCIDENT_DEFAULTS.rerouteEveryMs,
  lateAfterMs: INCIDENT_DEFAULTS.lateAfterMs,
  latePressWindowMs: INCIDENT_DEFAULTS.latePressWindowMs,
};

/** The world as data: who is on duty at each level, names from the table above. */
const worldOf = (levels: readonly (readonly string[])[]): World => ({
  duty: (level) => ({ people: levels[level] ?? [] }),
  alsoNotify: () => [],
  name: (id) => NAMES[id] ?? id,
});

/** Who is on duty at each level: drawn per event (shifts change, rosters are edited). */
const rosterArb = fc.array(fc.subarray(PEOPLE, { maxLength: 2 }), { minLength: 5, maxLength: 5 });

type Step =
  | { kind: 'press'; wait: number; skew: number; lag: number; presses: number }
  | { kind: 'act'; wait: number; action: (typeof ACTIONS)[number]; who: number }
  | { kind: 'due'; wait: number }
  | { kind: 'unreachable'; wait: number; level: number }
  | { kind: 'clear'; wait: number };

const waitArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 * MIN }));
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('press' as const),
    wait: waitArb,
    // device clock skew: anything from hours slow to decades fast (2096 boxes)
    skew: fc.oneof(fc.integer({ min: -6 * 60 * MIN, max: 5 * MIN }), fc.constant(70 * 365 * 24 * 60 * MIN)),
    lag: fc.integer({ min: 0, max: 3 * MIN }),
    presses: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('act' as const),
    wait: waitArb,
    action: fc.constantFrom(...ACTIONS),
    who: fc.integer({ min: -1, max: PEOPLE.length - 1 }), // -1: the household's box
  }),
  fc.record({ kind: fc.constant('due' as const), wait: waitArb }),
  fc.record({
    kind: fc.constant('unreachable' as const),
    wait: waitArb,
    level: fc.integer({ min: 0, max: 4 }),
  }),
  fc.record({ kind: fc.constant('clear' as const), wait: waitArb }),
);

/** Any policy the API or the registry would accept (policy.ts), as the runner hands it to the core. */
const windowArb = fc.integer({ min: MIN_ACK_WINDOW_MS, max: 2 * 60 * MIN });
const policyArb: fc.Arbitrary<IncidentPolicy> = fc.record({
  ackTimeoutMs: fc.array(windowArb, { minLength: 1, maxLength: 6 }),
  reminderEveryMs: fc.oneof(fc.constant(0), windowArb),
  topReminderEveryMs: fc.integer({ min: MIN, max: 6 * 60 * MIN }),
  topReminders: fc.integer({ min: 0, max: 5 }),
  dispatchTimeoutMs: fc.option(fc.integer({ min: MIN, max: 2 * 60 * MIN }), { nil: null }),
  source: fc.constantFrom('unit:150824:critical@3', 'drill'),
});

interface Run {
  incidents: Map<string, IncidentCore>;
  decisions: { id: string; event: IncidentEvent; d: Decision; now: number }[];
}

/** Plays steps against the core the way the runner does: the key's open incident, else its last closed one. */
function play(
  steps: readonly Step[],
  rosters: readonly (readonly string[][])[],
  source: 'sos' | 'rule' = 'sos',
  policy?: IncidentPolicy,
): Run {
  const incidents = new Map<string, IncidentCore>();
  const decisions: Run['decisions'] = [];
  let now = T0;
  let n = 0;
  const key = 'sos:hh-150824-104-0007';
  const current = () => {
    const all = [...incidents.values()];
    return all.find((c) => !isClosed(c.inc.state)) ?? all.filter((c) => c.inc.closedAt !== null).at(-1);
  };
  steps.forEach((s, i) => {
    now += s.wait;
    const roster = rosters[i % rosters.length]!;
    const world = worldOf(roster);
    const cur = current();
    let event: IncidentEvent;
    if (s.kind === 'press') {
      event = {
        type: 'raise',
        input: {
          source,
          category: 'medical',
          severity: 'critical',
          unitId: 'grid-150824-104-01',
          key,
          householdId: 'hh-150824-104-0007',
          deviceId: 'box-0007',
          at: now - s.lag + s.skew,
          summary: { zh: '求救', mn: 'ᠲᠤᠰᠠᠯᠠᠮᠵᠢ', en: 'SOS' },
        },
        newId: `inc-${String(++n).padStart(4, '0')}`,
        receivedAt: now - s.lag,
        chain: CHAIN,
        presses: s.presses,
        sosId: `sos-${n}`,
        msgId: `m-${i}`,
        ...(policy ? { policy } : {}),
      };
    } else {
      if (!cur) return;
      if (s.kind === 'act') {
        const actor =
          s.who < 0
            ? { kind: 'device' as const, id: 'box-0007', name: '巴特尔家' }
            : { kind: 'person' as const, id: PEOPLE[s.who]!, name: NAMES[PEOPLE[s.who]!]! };
        event = { type: 'act', action: s.action, actor };
      } else if (s.kind === 'due') {
        if (cur.inc.nextAt !== null) now = Math.max(now, cur.inc.nextAt);
        event = { type: 'due' };
      } else if (s.kind === 'unreachable') {
        event = { type: 'unreachable', level: s.level, people: [] };
      } else event = { type: 'clear', at: now };
    }
    const before = structuredClone(cur);
    const d = decide(cur, event, now, world, cfg);
    expect(cur).toEqual(before); // the core never changes what it was given
    if (d.changed) incidents.set(d.state.inc.id, d.state);
    decisions.push({ id: d.state.inc.id, event, d, now });
  });
  return { incidents, decisions };
}

const runArb = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 40 }),
  rosters: fc.array(rosterArb, { minLength: 1, maxLength: 4 }),
  // the default (the config's) or any valid policy carried by the raise (issue #24)
  policy: fc.option(policyArb, { nil: undefined }),
});

describe('the incident decision core', () => {
  it('never pages a step twice, and pages levels in escalation order', () => {
    fc.assert(
      fc.property(runArb, ({ steps, rosters, policy }) => {
        const { decisions } = play(steps, rosters, 'sos', policy);
        const seen = new Set<string>();
        const lastLevel = new Map<string, number>();
        for (const { id, d } of decisions) {
          for (const e of d.effects) {
            if (e.type !== 'page') continue;
            const k = `${id}:${e.step.level}:${e.step.reminder}:${e.step.kind}`;
            expect(seen.has(k), `page step ${k} twice`).toBe(false);
            seen.add(k);
            if (e.step.kind !== 'alert') continue;
            expect(e.step.level).toBeGreaterThanOrEqual(lastLevel.get(id) ?? 0);
            lastLevel.set(id, e.step.level);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('ends every SOS it opens in a page or a recorded reason', () => {
    fc.assert(
      fc.property(runArb, ({ steps, rosters, policy }) => {
        for (const { d } of play(steps, rosters, 'sos', policy).decisions) {
          if (!(d.outcome.ok && d.outcome.created)) continue;
          const paged = d.effects.some((e) => e.type === 'page' && e.first);
          const unrouted = d.effects.some((e) => e.type === 'record' && e.event === 'unrouted');
          expect(paged !== unrouted, 'a new incident pages, or says nobody is on duty').toBe(true);
          if (unrouted) expect(d.state.inc.nextAction).toBe('route'); // and tries again
          // the household hears at once what happened to its press
          expect(d.effects.some((e) => e.type === 'sos-ack')).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never reopens a closed incident, whatever arrives late (presses with any clock, actions, timers)', () => {
    fc.assert(
      fc.property(
        runArb,
        fc.constantFrom('sos' as const, 'rule' as const),
        ({ steps, rosters, policy }, source) => {
          const closedAt = new Map<string, number>();
          for (const { id, d } of play(steps, rosters, source, policy).decisions) {
            const inc = d.state.inc;
            const was = closedAt.get(id);
            if (was !== undefined) {
              expect(isClosed(inc.state), `${id} reopened as ${inc.state}`).toBe(true);
              expect(inc.closedAt).toBe(was);
              expect(d.effects.some((e) => e.type === 'page' && e.step.kind === 'alert')).toBe(false);
            }
            if (isClosed(inc.state) && inc.closedAt !== null) closedAt.set(id, inc.closedAt);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same state and effects when the same events are replayed', () => {
    fc.assert(
      fc.property(runArb, ({ steps, rosters, policy }) => {
        const a = play(steps, rosters, 'sos', policy);
        const b = play(steps, rosters, 'sos', policy);
        expect(b.decisions).toEqual(a.decisions);
        expect([...b.incidents.entries()]).toEqual([...a.incidents.entries()]);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps exactly one open incident per key, and an SOS is closed only by a person or its box', () => {
    fc.assert(
      fc.property(
        runArb,
        fc.constantFrom('sos' as const, 'rule' as const),
        ({ steps, rosters, policy }, source) => {
          const run = play(steps, rosters, source, policy);
          const open = [...run.incidents.values()].filter((c) => !isClosed(c.inc.state));
          expect(open.length).toBeLessThanOrEqual(1);
          for (const { event, d } of run.decisions) {
            if (event.type === 'clear' && source === 'sos') expect(d.changed).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('climbs past a level whose people all declined, at once', () => {
    const world = worldOf([['p-batu', 'p-saruul'], ['p-wang'], [], [], []]);
    const raise: IncidentEvent = {
      type: 'raise',
      input: {
        source: 'sos',
        category: 'injury',
        severity: 'critical',
        unitId: 'grid-150824-104-01',
        key: 'sos:hh-1',
        deviceId: 'box-1',
        at: T0,
        summary: { zh: '求救', mn: 'ᠲᠤᠰᠠᠯᠠᠮᠵᠢ', en: 'SOS' },
      },
      newId: 'inc-1',
      receivedAt: T0,
      chain: CHAIN,
    };
    let s = decide(undefined, raise, T0, world, cfg).state;
    expect(s.inc.level).toBe(0);
    const no = (id: string): IncidentEvent => ({
      type: 'act',
      action: 'decline',
      actor: { kind: 'person', id, name: NAMES[id]! },
    });
    s = decide(s, no('p-batu'), T0 + 1000, world, cfg).state;
    expect(s.inc.level).toBe(0); // one of two said no: wait for the other
    const d = decide(s, no('p-saruul'), T0 + 2000, world, cfg);
    expect(d.state.inc.level).toBe(1);
    const page = d.effects.find((e) => e.type === 'page');
    expect(page?.type === 'page' && page.people).toEqual(['p-wang']);
  });

  it('accepts every policy the arbitrary makes (the schema and the property tests agree)', () => {
    fc.assert(
      fc.property(policyArb, ({ source: _s, ...p }) => {
        expect(escalationPolicySchema.safeParse(p).success).toBe(true);
      }),
    );
  });

  it('keeps the policy it was raised with and climbs by its windows, whatever the config says', () => {
    fc.assert(
      fc.property(policyArb, (policy) => {
        const everyone = worldOf([['p-batu'], ['p-saruul'], ['p-wang'], ['p-oyun'], ['p-liu']]);
        const raise: IncidentEvent = {
          type: 'raise',
          input: {
            source: 'sos',
            category: 'medical',
            severity: 'critical',
            unitId: 'grid-150824-104-01',
            key: 'sos:hh-1',
            deviceId: 'box-1',
            at: T0,
            summary: { zh: '求救', mn: 'ᠲᠤᠰᠠᠯᠠᠮᠵᠢ', en: 'SOS' },
          },
          newId: 'inc-1',
          receivedAt: T0,
          chain: CHAIN,
          policy,
        };
        let d = decide(undefined, raise, T0, everyone, cfg);
        expect(d.state.inc.policy).toEqual(policy);
        const open = d.effects.find((e) => e.type === 'record' && e.event === 'open');
        expect(open?.type === 'record' && open.data?.policy).toBe(policy.source); // the timeline says which
        const pagedAt = new Map<number, number>([[0, T0]]);
        for (let i = 0; i < 5000 && pagedAt.size < CHAIN.length && d.state.inc.nextAt !== null; i++) {
          const now = d.state.inc.nextAt;
          d = decide(d.state, { type: 'due' }, now, everyone, cfg);
          expect(d.state.inc.policy).toEqual(policy); // a due step never swaps the policy
          for (const e of d.effects) {
            if (e.type === 'page' && e.step.kind === 'alert' && e.step.reminder === 0)
              pagedAt.set(e.step.level, now);
          }
        }
        // level k+1 was paged exactly when level k's window (the policy's, the last repeating) ran out
        for (let level = 1; level < CHAIN.length; level++) {
          const window = policy.ackTimeoutMs[Math.min(level - 1, policy.ackTimeoutMs.length - 1)]!;
          expect(pagedAt.get(level)! - pagedAt.get(level - 1)!).toBe(window);
        }
      }),
      { numRuns: 200 },
    );
  });
});
