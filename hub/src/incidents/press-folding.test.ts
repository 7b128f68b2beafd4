import { type Alert, downTopic, type SosAck, sosSchema } from '@steppelink/protocols';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Accepted, HubContext } from '../context.ts';
import { LATE_PRESS_WINDOW_MS } from './engine.ts';
import { createIncidentsModule, type IncidentsModule } from './module.ts';
import type { Actor } from './store.ts';
import { type TestContext, testContext } from './testing.ts';

const MIN = 60_000;
const BOX = 'stb-150824-104-0007'; // 其其格's household, grid 150824-104-007-03
const KEY = 'sos:hh-150824-104-0007';
const Y2096 = Date.UTC(2096, 0, 1);
const BATER: Actor = { kind: 'person', id: 'p-bater', name: '巴特尔' };

/** One engine on a real SQLite file with fake time; `restart()` opens the same file again. */
class Hub {
  mod!: IncidentsModule;
  ctx: HubContext;
  private n = 0;
  constructor(readonly tc: TestContext) {
    this.ctx = tc.ctx;
  }
  async start() {
    this.mod = createIncidentsModule({ jobs: false });
    await this.mod.start(this.ctx);
  }
  async restart() {
    await this.mod.close();
    this.ctx.db.close();
    this.ctx = this.tc.reopen();
    await this.start();
  }
  async settle(ms = 0) {
    await this.tc.clock.advance(ms);
    await this.mod.idle();
  }
  /** An SOS raise as ingest hands it over (hub receive time = now); resolves with the handler's error, if any. */
  message(ts: number, id = `${BOX}:sos:p${++this.n}`): Accepted<'sos'> {
    return {
      seq: this.n,
      deviceId: BOX,
      kind: 'sos',
      msg: sosSchema.parse({ v: 1, id, ts, action: 'raise' }),
      receivedAt: this.tc.clock.now(),
    };
  }
  async press(m: Accepted<'sos'>): Promise<Error | undefined> {
    try {
      await this.mod.handlers!.sos!({ ...m, receivedAt: this.tc.clock.now() });
      return undefined;
    } catch (e) {
      return e as Error;
    } finally {
      await this.mod.idle();
    }
  }
  get engine() {
    return this.mod.engine;
  }
  incidents(): { id: string; state: string; closedAt: number | null }[] {
    return this.ctx.db
      .prepare('SELECT id, state, closed_at AS closedAt FROM incidents ORDER BY opened_at, id')
      .all() as { id: string; state: string; closedAt: number | null }[];
  }
  pagedFor(incidentId: string): boolean {
    return this.tc.publisher.published.some(
      (p) => p.topic.startsWith('sl/v1/worker/') && (p.payload as Alert).incidentId === incidentId,
    );
  }
  acks(): SosAck[] {
    return this.tc.publisher.on(downTopic(BOX, 'sos-ack')) as SosAck[];
  }
}

describe('which incident an SOS press belongs to (hub receive time and incident state, not the box clock)', () => {
  let tc: TestContext;
  let hub: Hub;
  beforeEach(async () => {
    tc = testContext();
    hub = new Hub(tc);
    await hub.start();
  });
  afterEach(async () => {
    await hub.mod.close();
    tc.close();
  });

  const resolveOpen = async () => {
    const id = hub.engine.openIncidentId(KEY)!;
    expect((await hub.engine.act(id, 'resolve', BATER)).ok).toBe(true);
    return id;
  };

  it('pages a new emergency pressed right after the last was resolved, though the box clock was 4 min fast then', async () => {
    await hub.press(hub.message(tc.clock.now() + 4 * MIN)); // the box runs 4 min fast
    const first = await resolveOpen();
    await hub.settle(20_000);
    const acksBefore = hub.acks().length;
    expect(await hub.press(hub.message(tc.clock.now()))).toBeUndefined(); // NTP set it right since
    const second = hub.engine.openIncidentId(KEY);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(hub.pagedFor(second!)).toBe(true);
    expect(
      hub
        .acks()
        .slice(acksBefore)
        .map((a) => [a.incidentId, a.state]),
    ).toContainEqual([second, 'notified']);
    expect(hub.engine.get(first)?.state).toBe('resolved');
  });

  it('does not let one press stamped in 2096 silence the box afterwards', async () => {
    await hub.press(hub.message(Y2096));
    await resolveOpen();
    for (const wait of [30_000, 5 * MIN, 24 * 60 * MIN]) {
      await hub.settle(wait);
      expect(await hub.press(hub.message(tc.clock.now()))).toBeUndefined();
      const id = hub.engine.openIncidentId(KEY);
      expect(id && hub.pagedFor(id)).toBe(true);
      await resolveOpen();
    }
    expect(hub.incidents()).toHaveLength(4);
  });

  it('folds the same press sent again under a new id just after the close: recorded, told, dead-lettered, not paged', async () => {
    const pressedAt = tc.clock.now();
    await hub.press(hub.message(pressedAt));
    const id = await resolveOpen();
    await hub.settle(30_000);
    const alerts = tc.publisher.published.length;
    const err = await hub.press(hub.message(pressedAt)); // the box resends it with a new message id
    expect(err?.message).toMatch(/not paged: press received 30 s after inc-\w+ closed/);
    expect(hub.incidents()).toEqual([expect.objectContaining({ id, state: 'resolved' })]);
    expect(hub.engine.timeline(id).at(-1)).toMatchObject({ type: 'late-press', data: { ts: pressedAt } });
    const sent = tc.publisher.published.slice(alerts);
    expect(sent.map((p) => p.topic)).toEqual([downTopic(BOX, 'sos-ack')]); // the box hears it is closed
    expect(sent[0]?.payload).toMatchObject({ incidentId: id, state: 'resolved' });
  });

  it('opens a new incident for the same press resent after the window', async () => {
    const pressedAt = tc.clock.now();
    await hub.press(hub.message(pressedAt));
    await resolveOpen();
    await hub.settle(LATE_PRESS_WINDOW_MS + 1);
    expect(await hub.press(hub.message(pressedAt))).toBeUndefined();
    expect(hub.pagedFor(hub.engine.openIncidentId(KEY)!)).toBe(true);
  });

  it('holds for any sequence of presses (any clock skew), actions, waits and restarts', async () => {
    const skew = fc.oneof(
      fc.constantFrom(0, 1_000, -1_000, 4 * MIN, -4 * MIN, 30_000, -2 * 60 * MIN, 6 * 60 * MIN),
      fc.integer({ min: -3 * MIN, max: 3 * MIN }),
    );
    const command = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          k: fc.constant('press' as const),
          skew,
          abs: fc.constantFrom(null, null, null, Y2096, Date.UTC(2019, 5, 1)),
          resend: fc.constantFrom('none', 'none', 'none', 'same-id', 'same-ts'),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          k: fc.constant('act' as const),
          action: fc.constantFrom('ack', 'decline', 'resolve', 'false-alarm', 'cancel'),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          k: fc.constant('wait' as const),
          ms: fc.constantFrom(
            1_000,
            20_000,
            MIN,
            LATE_PRESS_WINDOW_MS,
            LATE_PRESS_WINDOW_MS + 1,
            10 * MIN,
            3 * 60 * MIN,
          ),
        }),
      },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('restart' as const) }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (cmds) => {
        tc.close();
        tc = testContext();
        hub = new Hub(tc);
        await hub.start();
        /** the model: box timestamps of the presses each incident counted, and what was pressed */
        const span = new Map<string, { lo: number; hi: number }>();
        const sent: Accepted<'sos'>[] = [];
        const closedSeen = new Map<string, string>();
        for (const c of cmds) {
          const now = tc.clock.now();
          if (c.k === 'wait') await hub.settle(c.ms);
          else if (c.k === 'restart') await hub.restart();
          else if (c.k === 'act') {
            const open = hub.engine.openIncidentId(KEY);
            if (open) hub.engine.act(open, c.action, BATER);
            await hub.mod.idle();
          } else {
            const prev =
              sent.length > 0 ? sent[sent.length - 1 - (Math.abs(c.skew) % sent.length)] : undefined;
            const m =
              c.resend === 'same-id' && prev
                ? prev
                : hub.message(c.resend === 'same-ts' && prev ? prev.msg.ts : (c.abs ?? now + c.skew));
            const known = await hub.engine.incidentForMessage('sos', m.msg.id);
            const open = hub.engine.openIncidentId(KEY);
            const before = hub.incidents();
            const last = before.reduce<(typeof before)[number] | undefined>(
              (best, i) => (i.closedAt !== null && (!best || i.closedAt >= best.closedAt!) ? i : best),
              undefined,
            );
            const err = await hub.press(m);
            const after = hub.incidents();
            const applied = await hub.engine.incidentForMessage('sos', m.msg.id);
            sent.push(m);
            const ts = m.msg.ts;
            if (known !== undefined) {
              // the same message again: applied once, nothing changes
              expect(applied).toBe(known);
              expect(after).toEqual(before);
              expect(err).toBeUndefined();
            } else if (open) {
              // joins the open incident
              expect(err).toBeUndefined();
              expect(applied).toBe(open);
              expect(after).toHaveLength(before.length);
              const s = span.get(open)!;
              span.set(open, { lo: Math.min(s.lo, ts), hi: Math.max(s.hi, ts) });
            } else {
              const s = last && span.get(last.id);
              const folds =
                !!last && !!s && now <= last.closedAt! + LATE_PRESS_WINDOW_MS && ts >= s.lo && ts <= s.hi;
              if (folds) {
                // a press of the emergency just closed, sent again: recorded on it and dead-lettered
                expect(applied).toBe(last!.id);
                expect(after).toEqual(before);
                expect(err?.message).toMatch(/not paged/);
                expect(hub.engine.timeline(last!.id).at(-1)).toMatchObject({
                  type: 'late-press',
                  data: { msgId: m.msg.id },
                });
              } else {
                // anything else: a new incident that paged somebody (or says why it could not)
                expect(err).toBeUndefined();
                expect(after).toHaveLength(before.length + 1);
                expect(applied).toBe(hub.engine.openIncidentId(KEY));
                const types = hub.engine.timeline(applied!).map((e) => e.type);
                expect(hub.pagedFor(applied!) || types.includes('unrouted')).toBe(true);
                span.set(applied!, { lo: ts, hi: ts });
              }
            }
          }
          // a closed incident is never reopened
          for (const i of hub.incidents()) {
            if (closedSeen.has(i.id)) expect(i.state).toBe(closedSeen.get(i.id));
            else if (i.closedAt !== null) closedSeen.set(i.id, i.state);
          }
          expect(hub.incidents().filter((i) => i.closedAt === null).length).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
