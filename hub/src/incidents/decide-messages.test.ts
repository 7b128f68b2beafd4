import fc from 'fast-check';
import { CANNED_REPLIES } from '@steppelink/protocols';
import { describe, expect, it } from 'vitest';
import type { ChainStep } from '../duty/chain.ts';
import {
  ACTIONS,
  type ConversationMessage,
  type CoreConfig,
  decide,
  type IncidentCore,
  type IncidentEvent,
  type World,
} from './decide.ts';
import { DEFAULT_POLICY, INCIDENT_DEFAULTS } from './defaults.ts';
import { isClosed } from './store.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 7, 2, 0);
const CHAIN: ChainStep[] = [
  { unit: 'grid-150824-104-01', role: 'grid-worker' },
  { unit: 'grid-150824-104-01', role: 'grid-leader' },
  { unit: 'gacha-150824-104', role: 'village-secretary' },
];
const PEOPLE = ['p-batu', 'p-saruul', 'p-wang', 'p-oyun'];
const cfg: CoreConfig = {
  policy: DEFAULT_POLICY,
  repeatWindowMs: INCIDENT_DEFAULTS.repeatWindowMs,
  rerouteEveryMs: INCIDENT_DEFAULTS.rerouteEveryMs,
  lateAfterMs: INCIDENT_DEFAULTS.lateAfterMs,
};
const worldOf = (levels: readonly (readonly string[])[]): World => ({
  duty: (level) => ({ people: levels[level] ?? [] }),
  alsoNotify: () => [],
  name: (id) => id.slice(2),
});
const box = { kind: 'device' as const, id: 'stb-150824-104-0007', name: '其其格' };

function raised(world: World, source: 'sos' | 'rule' = 'sos'): IncidentCore {
  const d = decide(
    undefined,
    {
      type: 'raise',
      input: {
        source,
        category: 'medical',
        severity: 'critical',
        unitId: 'grid-150824-104-01',
        key: 'sos:hh-150824-104-0007',
        householdId: 'hh-150824-104-0007',
        deviceId: box.id,
        at: T0,
        summary: { zh: '求救', mn: 'ᠲᠤᠰᠠᠯᠠᠮᠵᠢ', en: 'SOS' },
      },
      newId: 'inc-0001',
      receivedAt: T0,
      chain: CHAIN,
      sosId: 'sos-1',
    },
    T0,
    world,
    cfg,
  );
  return d.state;
}

const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('act' as const), action: fc.constantFrom(...ACTIONS), who: fc.nat(3) }),
  fc.record({ kind: fc.constant('due' as const) }),
);
const messageArb: fc.Arbitrary<ConversationMessage> = fc.oneof(
  fc.record(
    {
      id: fc.constantFrom('stb-0007:rpl:1', 'rpl-2'),
      from: fc.constant('household' as const),
      actor: fc.constant(box),
      canned: fc.constantFrom(...CANNED_REPLIES),
      text: fc.constantFrom('老人发高烧', 'ᠡᠮᠴᠢ'),
      via: fc.constant('mqtt' as const),
    },
    { requiredKeys: ['id', 'from', 'actor', 'via'] },
  ),
  fc.record({
    id: fc.constantFrom('msg-1', 'msg-2'),
    from: fc.constant('responder' as const),
    actor: fc.constantFrom(...PEOPLE).map((id) => ({ kind: 'person' as const, id, name: id.slice(2) })),
    text: fc.constantFrom('马上到', 'on our way'),
    via: fc.constant('http' as const),
  }),
);
const levelsArb = fc.array(fc.subarray(PEOPLE, { maxLength: 2 }), { minLength: 3, maxLength: 3 });

describe('the decision core: SOS conversation messages (issue #27)', () => {
  it('records every message of an open SOS once, forwards the household’s to everyone paged and sends a responder’s to the box; refuses all once closed', () => {
    fc.assert(
      fc.property(levelsArb, fc.array(stepArb, { maxLength: 6 }), messageArb, (levels, steps, m) => {
        const world = worldOf(levels);
        let s = raised(world);
        let now = T0;
        for (const st of steps) {
          now += 5 * MIN;
          const event: IncidentEvent =
            st.kind === 'due'
              ? { type: 'due' }
              : {
                  type: 'act',
                  action: st.action,
                  actor: { kind: 'person', id: PEOPLE[st.who]!, name: PEOPLE[st.who]! },
                };
          const d = decide(
            s,
            event,
            Math.max(now, st.kind === 'due' ? (s.inc.nextAt ?? now) : now),
            world,
            cfg,
          );
          if (d.changed) s = d.state;
        }
        const before = structuredClone(s);
        const d = decide(s, { type: 'message', message: m }, now + 1, world, cfg);
        expect(s).toEqual(before); // the core never edits its input
        if (isClosed(s.inc.state)) {
          expect(d.outcome).toEqual({
            ok: false,
            status: 409,
            error: expect.stringContaining('conversation is closed'),
          });
          expect(d.changed).toBe(false);
          expect(d.effects).toEqual([]);
          return;
        }
        expect(d.outcome).toEqual({ ok: true });
        expect(d.state.inc.state).toBe(s.inc.state); // a message moves no state, escalation or timer
        expect(d.state.inc.nextAt).toBe(s.inc.nextAt);
        expect(d.state.inc.level).toBe(s.inc.level);
        const lines = d.effects.filter((e) => e.type === 'record');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatchObject({
          event: 'message',
          actor: m.actor,
          data: { id: m.id, from: m.from },
        });
        const paged = new Set(s.facts.pages.filter((p) => p.kind === 'alert').flatMap((p) => p.people));
        const forwards = d.effects.filter((e) => e.type === 'forward');
        const toBox = d.effects.filter((e) => e.type === 'sos-msg');
        if (m.from === 'household') {
          expect(toBox).toEqual([]);
          if (paged.size === 0) expect(forwards).toEqual([]);
          else expect(forwards).toEqual([{ type: 'forward', message: m, people: [...paged] }]);
        } else {
          expect(forwards).toEqual([]);
          expect(toBox).toEqual([{ type: 'sos-msg', message: m }]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the conversation to an SOS from a box: a rule incident refuses it', () => {
    const world = worldOf([['p-batu']]);
    const s = raised(world, 'rule');
    const d = decide(
      { ...s, inc: { ...s.inc, device: null } },
      {
        type: 'message',
        message: { id: 'msg-1', from: 'responder', actor: SYSTEM_PERSON, text: 'hi', via: 'http' },
      },
      T0 + MIN,
      world,
      cfg,
    );
    expect(d.outcome).toMatchObject({
      ok: false,
      status: 409,
      error: expect.stringContaining('only an SOS'),
    });
  });

  it('records a read receipt, even after the incident closed (the TV shows the last text after the resolve)', () => {
    const world = worldOf([['p-batu']]);
    let s = raised(world);
    s = decide(
      s,
      { type: 'act', action: 'resolve', actor: { kind: 'person', id: 'p-batu', name: 'batu' } },
      T0 + MIN,
      world,
      cfg,
    ).state;
    const d = decide(
      s,
      { type: 'message-read', messageId: 'msg-1', actor: box, from: 'responder' },
      T0 + 2 * MIN,
      world,
      cfg,
    );
    expect(d.outcome).toEqual({ ok: true });
    expect(d.effects).toEqual([
      expect.objectContaining({
        type: 'record',
        event: 'message-read',
        data: { messageId: 'msg-1', from: 'responder' },
      }),
    ]);
  });
});

const SYSTEM_PERSON = { kind: 'person' as const, id: 'p-batu', name: 'batu' };
