import {
  type Alert,
  alertSchema,
  downTopic,
  type SosAck,
  sosAckSchema,
  workerAlertTopic,
} from '@steppelink/protocols';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncidentsModule, type IncidentsModule } from './module.ts';
import { acceptedSos, acceptedWorkerAck, type TestContext, testContext } from './testing.ts';

const MIN = 60_000;
const BOX = 'stb-150824-104-0007'; // 其其格's household, grid 150824-104-007-03
const alertsTo = (tc: TestContext, person: string) => tc.publisher.on(workerAlertTopic(person)) as Alert[];
const acksTo = (tc: TestContext, device: string) => tc.publisher.on(downTopic(device, 'sos-ack')) as SosAck[];

const sos = acceptedSos;
const workerAck = acceptedWorkerAck;

describe('incident engine (real SQLite, fake clock, recording publisher)', () => {
  let tc: TestContext;
  let mod: IncidentsModule;
  const start = async (m = createIncidentsModule({ jobs: false })) => {
    mod = m;
    await mod.start(tc.ctx);
    return mod;
  };
  /** Moves fake time (firing due timers, as real time would) and waits for deliveries in flight. */
  const settle = async (ms = 0) => {
    await tc.clock.advance(ms);
    await mod.idle();
  };
  beforeEach(() => {
    tc = testContext();
  });
  afterEach(async () => {
    await mod?.close();
    // The MQTT notifier sends alerts without validating them again: every one seen must pass.
    for (const p of tc.publisher.published) {
      const schema = p.topic.startsWith('sl/v1/worker/') ? alertSchema : sosAckSchema;
      expect(schema.safeParse(p.payload).error).toBeUndefined();
    }
    tc.close();
  });

  it("hands the worker's alert to the broker before the household's sos-ack and the board's update", async () => {
    await start();
    const board: string[] = [];
    const off = tc.ctx.events.on('incident.changed', (e) => board.push(e.state));
    let atFirst: { board: string[]; topics: string[] } | undefined;
    const publish = tc.publisher.publish.bind(tc.publisher);
    tc.publisher.publish = (topic, payload, opts) => {
      const sent = publish(topic, payload, opts);
      atFirst ??= { board: [...board], topics: tc.publisher.published.map((p) => p.topic) };
      return sent;
    };
    await mod.handlers!.sos!(sos(tc, BOX, { category: 'blizzard' }));
    // when the first message left: the page, nothing else yet
    expect(atFirst).toEqual({ board: [], topics: [workerAlertTopic('p-bater')] });
    await settle();
    const [first, ...rest] = tc.publisher.published.map((p) => p.topic);
    expect(first).toBe(workerAlertTopic('p-bater'));
    expect(rest.length).toBeGreaterThan(0);
    expect(new Set(rest)).toEqual(new Set([downTopic(BOX, 'sos-ack')]));
    expect(board).toEqual(['notified']);
    off();
  });

  it("pages the worker before the incident's transaction and records that page as delivered on the phone's PUBACK, once", async () => {
    await start();
    let atPage: unknown = 'not paged';
    const publish = tc.publisher.publish.bind(tc.publisher);
    tc.publisher.publish = (topic, payload, opts) => {
      if (topic === workerAlertTopic('p-bater') && atPage === 'not paged') {
        atPage = mod.engine.get((JSON.parse(payload.toString()) as Alert).incidentId) ?? 'not written yet';
      }
      return publish(topic, payload, opts);
    };
    await mod.handlers!.sos!(sos(tc, BOX, { category: 'blizzard' }));
    await settle();
    expect(atPage).toBe('not written yet');
    const alerts = alertsTo(tc, 'p-bater');
    expect(alerts).toHaveLength(1);
    expect(mod.engine.get(alerts[0]!.incidentId)).toMatchObject({ state: 'notified', level: 0 });
    const rows = tc.db.prepare("SELECT key, status, attempts FROM deliveries WHERE channel = 'mqtt'").all();
    expect(rows).toEqual([
      { key: `page:${alerts[0]!.incidentId}:0:0:alert:p-bater:mqtt`, status: 'delivered', attempts: 1 },
    ]);
  });

  it('applies a worker ack that comes right after the page, before the incident was written', async () => {
    await start();
    let paged!: (incidentId: string) => void;
    const page = new Promise<string>((resolve) => {
      paged = resolve;
    });
    const publish = tc.publisher.publish.bind(tc.publisher);
    tc.publisher.publish = (topic, payload, opts) => {
      if (topic === workerAlertTopic('p-bater')) paged((JSON.parse(payload.toString()) as Alert).incidentId);
      return publish(topic, payload, opts);
    };
    const raised = mod.handlers!.sos!(sos(tc, BOX));
    const id = await page;
    expect(mod.engine.get(id)).toBeUndefined(); // the page is out, its commit not yet
    await Promise.all([raised, mod.handlers!['worker-ack']!(workerAck(tc, 'p-bater', id))]);
    expect(mod.engine.get(id)).toMatchObject({ state: 'acknowledged', ackBy: 'p-bater' });
  });

  it('sends the first page after the commit when paging ahead fails', async () => {
    await start();
    tc.publisher.failNext = 1; // the page sent ahead of the transaction
    tc.publisher.puback = false; // the phone has not acknowledged it yet: the broker holds it
    await mod.handlers!.sos!(sos(tc, BOX));
    await settle();
    expect(alertsTo(tc, 'p-bater')).toHaveLength(1);
    const rows = tc.db.prepare("SELECT status, attempts FROM deliveries WHERE channel = 'mqtt'").all();
    expect(rows).toEqual([{ status: 'queued', attempts: 1 }]);
  });

  it('pages the grid worker on duty and tells the household who has it', async () => {
    await start();
    await mod.handlers!.sos!(sos(tc, BOX, { category: 'blizzard', pos: { lat: 42.1213, lon: 108.4382 } }));
    await settle();
    const [alert] = alertsTo(tc, 'p-bater');
    expect(alert).toMatchObject({
      level: 0,
      role: 'grid-worker',
      severity: 'critical',
      source: 'sos',
      category: 'blizzard',
    });
    expect(alert?.summary.zh).toContain('其其格');
    expect(alert?.ackBy).toBe(tc.clock.now() + 3 * MIN);
    expect(alert?.household).toMatchObject({ id: 'hh-150824-104-0007', phone: '15247801234' });
    const acks = acksTo(tc, BOX);
    expect(acks.map((a) => a.state)).toEqual(['open', 'notified']);
    expect(acks[1]?.by).toMatchObject({ name: '巴特尔', role: 'grid-worker' });
    expect(acks[1]?.texts.zh).toBe('您的求救已通知网格员巴特尔，正在等待对方确认。');
    expect(acks[1]?.texts.mn).toContain('ᠮᠡᠳᠡᠭᠳᠡᠪᠡ');
    const inc = mod.engine.get(alert!.incidentId)!;
    expect(inc.state).toBe('notified');
    expect(mod.engine.timeline(inc.id).map((e) => e.type)).toEqual(['open', 'paged', 'notified']);
  });

  it('reminds, then climbs level by level until someone acknowledges, telling the household each time', async () => {
    await start();
    await mod.handlers!.sos!(sos(tc, BOX));
    await settle(MIN);
    expect(alertsTo(tc, 'p-bater').map((a) => a.reminder)).toEqual([0, 1]);
    expect(alertsTo(tc, 'p-bater')[1]?.summary.zh).toMatch(/^【第1次提醒】/);
    await settle(2 * MIN); // 3 min: the grid worker's time is up
    expect(alertsTo(tc, 'p-bater')).toHaveLength(3);
    expect(alertsTo(tc, 'p-wuyun')).toMatchObject([{ level: 1, role: 'grid-leader' }]);
    const acks = acksTo(tc, BOX);
    expect(acks.at(-1)?.texts.zh).toBe('网格员未能及时确认，您的求救已转给网格长乌云，正在等待确认。');
    await settle(3 * MIN); // grid leader silent too → village secretary
    expect(alertsTo(tc, 'p-erdun')).toMatchObject([{ level: 2, role: 'village-secretary' }]);
    await settle(5 * MIN);
    expect(alertsTo(tc, 'p-wangjg')).toMatchObject([{ level: 3, role: 'station-officer' }]);
    await settle(5 * MIN);
    expect(alertsTo(tc, 'p-saren')).toMatchObject([{ level: 4, role: 'banner-duty-officer' }]);

    const id = alertsTo(tc, 'p-saren')[0]!.incidentId;
    await mod.handlers!['worker-ack']!(workerAck(tc, 'p-saren', id));
    await settle();
    const inc = mod.engine.get(id)!;
    expect(inc).toMatchObject({ state: 'acknowledged', ackBy: 'p-saren', escalations: 4 });
    const last = acksTo(tc, BOX).at(-1)!;
    expect(last).toMatchObject({ state: 'acknowledged', by: { name: '萨仁', role: 'banner-duty-officer' } });
    expect(last.texts.zh).toContain('旗指挥平台值班员萨仁已收到您的求救');
    const types = mod.engine.timeline(id).map((e) => e.type);
    expect(types.filter((t) => t === 'escalated')).toHaveLength(4);
    expect(types.at(-1)).toBe('acknowledged');
  });

  it('re-escalates an acknowledged SOS that is not dispatched in time', async () => {
    await start();
    await mod.handlers!.sos!(sos(tc, BOX));
    await settle();
    const id = alertsTo(tc, 'p-bater')[0]!.incidentId;
    await mod.handlers!['worker-ack']!(workerAck(tc, 'p-bater', id));
    await settle(14 * MIN);
    expect(alertsTo(tc, 'p-wuyun')).toHaveLength(0);
    await settle(1 * MIN);
    expect(alertsTo(tc, 'p-wuyun')).toMatchObject([{ level: 1 }]);
    expect(alertsTo(tc, 'p-wuyun')[0]?.summary.zh).toMatch(/^【已确认但未出动】/);
    expect(mod.engine.get(id)?.state).toBe('acknowledged');
    const dispatched = await mod.engine.act(
      id,
      'dispatch',
      { kind: 'person', id: 'p-wuyun', name: '乌云' },
      { rescue: 'helicopter' },
    );
    expect(dispatched.ok).toBe(true);
    await settle(60 * MIN);
    expect(alertsTo(tc, 'p-erdun')).toHaveLength(0);
    expect(acksTo(tc, BOX).at(-1)).toMatchObject({ state: 'dispatched', rescue: 'helicopter' });
    expect(acksTo(tc, BOX).at(-1)?.texts.zh).toBe('救援直升机已出发。请留在原地，保持电话畅通。');
  });

  it('joins repeated presses into one incident without paging again; a press replayed after a crash changes nothing', async () => {
    await start();
    const first = sos(tc, BOX);
    await mod.handlers!.sos!(first);
    await settle(10_000);
    await mod.handlers!.sos!(sos(tc, BOX, { presses: 3 }));
    await mod.handlers!.sos!(first); // re-run of an already applied message
    await settle();
    expect(alertsTo(tc, 'p-bater')).toHaveLength(1);
    const id = alertsTo(tc, 'p-bater')[0]!.incidentId;
    expect(mod.engine.get(id)?.presses).toBe(4);
    expect(tc.db.prepare('SELECT count(*) FROM incidents').pluck().get()).toBe(1);
    // Pressing again after the repeat window (10 min) reminds the level now paged, at once.
    await settle(10 * MIN + 1_000); // by now the village secretary has it
    const before = alertsTo(tc, 'p-erdun').length;
    await mod.handlers!.sos!(sos(tc, BOX));
    await settle();
    expect(alertsTo(tc, 'p-erdun')).toHaveLength(before + 1);
    expect(mod.engine.timeline(id).at(-1)).toMatchObject({
      type: 'reminded',
      note: expect.stringMatching(/^pressed again/),
    });
    expect(mod.engine.get(id)?.presses).toBe(5);
  });

  it('opens an incident for a late SOS and says how late it is', async () => {
    await start();
    const pressedAt = tc.clock.now();
    await tc.clock.advance(2 * 60 * MIN + 13 * MIN);
    await mod.handlers!.sos!(sos(tc, BOX, { ts: pressedAt }));
    await settle();
    const [alert] = alertsTo(tc, 'p-bater');
    expect(alert?.lateMs).toBe(133 * MIN);
    const inc = mod.engine.get(alert!.incidentId)!;
    expect(inc.sourceTs).toBe(pressedAt);
    expect(mod.engine.timeline(inc.id).find((e) => e.type === 'late')?.note).toContain('2小时13分钟');
    expect(acksTo(tc, BOX).at(-1)?.texts.zh).toContain('您的求救晚到了2小时13分钟');
  });

  it('cancels on the confirmed cancel and still tells everyone who was paged', async () => {
    await start();
    const raise = sos(tc, BOX);
    await mod.handlers!.sos!(raise);
    await settle(3 * MIN); // now at the grid leader
    await mod.handlers!.sos!(
      sos(tc, BOX, { action: 'cancel', confirmed: true, raiseId: raise.msg.id, note: '误按' } as never),
    );
    await settle();
    const id = alertsTo(tc, 'p-bater')[0]!.incidentId;
    expect(mod.engine.get(id)?.state).toBe('cancelled');
    for (const person of ['p-bater', 'p-wuyun']) {
      expect(alertsTo(tc, person).at(-1)?.summary.zh).toMatch(/^【已取消，无需前往】/);
    }
    expect(acksTo(tc, BOX).at(-1)).toMatchObject({ state: 'cancelled' });
    expect(acksTo(tc, BOX).at(-1)?.texts.zh).toMatch(/^您已取消本次求救/);
    await settle(30 * MIN);
    expect(alertsTo(tc, 'p-erdun')).toHaveLength(0);
  });

  it('resumes exactly where it was after a restart mid-escalation, paging no step twice', async () => {
    await start();
    await mod.handlers!.sos!(sos(tc, BOX));
    await settle(2 * MIN); // first page + two reminders
    expect(alertsTo(tc, 'p-bater')).toHaveLength(3);
    await mod.close(); // the hub goes down...
    tc.ctx.db.close();
    await tc.clock.advance(90_000); // ...past the grid worker's deadline
    const ctx2 = tc.reopen();
    mod = createIncidentsModule({ jobs: false });
    await mod.start(ctx2);
    await settle();
    expect(alertsTo(tc, 'p-bater')).toHaveLength(3);
    expect(alertsTo(tc, 'p-wuyun')).toHaveLength(1);
    await settle(60_000);
    expect(alertsTo(tc, 'p-wuyun').map((a) => a.reminder)).toEqual([0, 1]);
  });

  it('sends pages that were committed but not delivered before a crash, once', async () => {
    await start();
    tc.publisher.failNext = 100; // the broker refuses everything
    await mod.handlers!.sos!(sos(tc, BOX));
    await settle();
    expect(alertsTo(tc, 'p-bater')).toHaveLength(0);
    await mod.close();
    tc.ctx.db.close();
    tc.publisher.failNext = 0;
    const ctx2 = tc.reopen();
    mod = createIncidentsModule({ jobs: false });
    await mod.start(ctx2);
    await settle(5_000); // the retries' backoff survives the restart
    expect(alertsTo(tc, 'p-bater')).toHaveLength(1);
    expect(acksTo(tc, BOX).map((a) => a.state)).toEqual(['open', 'notified']);
  });

  it('skips a level with nobody on duty (leave without cover) and records why', async () => {
    await start();
    const r = mod.rosters.import(
      {
        timeZone: 'Asia/Shanghai',
        rotations: [],
        overrides: [
          {
            kind: 'leave',
            unit: '150824-104-007-03',
            role: 'grid-worker',
            person: 'p-bater',
            from: '2025-11-25',
            to: '2025-11-26',
            note: '去旗里开会',
          },
        ],
      },
      tc.clock.now(),
    );
    expect(r.ok).toBe(true);
    await mod.handlers!.sos!(sos(tc, BOX));
    await settle();
    expect(alertsTo(tc, 'p-bater')).toHaveLength(0);
    expect(alertsTo(tc, 'p-wuyun')).toMatchObject([{ level: 1 }]);
    const id = alertsTo(tc, 'p-wuyun')[0]!.incidentId;
    const skipped = mod.engine.timeline(id).find((e) => e.type === 'skipped');
    expect(skipped).toMatchObject({ level: 0, data: { reason: 'on leave with no cover: p-bater' } });
  });

  it('climbs at once when everyone paged at a level declines', async () => {
    await start();
    await mod.handlers!.sos!(sos(tc, BOX));
    await settle();
    const id = alertsTo(tc, 'p-bater')[0]!.incidentId;
    await mod.handlers!['worker-ack']!(workerAck(tc, 'p-bater', id, 'decline'));
    await settle();
    expect(alertsTo(tc, 'p-wuyun')).toHaveLength(1);
    expect(mod.engine.get(id)?.state).toBe('notified');
  });

  it('routes a patrol tracker SOS to its team, and attaches the tracker positions', async () => {
    await start();
    await mod.handlers!.sos!(sos(tc, 'trk-patrol-150825-03', { category: 'injury' }));
    await settle();
    const id = mod.engine.openIncidentId('sos:trk-patrol-150825-03')!;
    const inc = mod.engine.get(id)!;
    expect(inc.chain.slice(0, 3)).toEqual([
      { unit: '150825-201', role: 'patrol-member' },
      { unit: '150825-201', role: 'station-officer' },
      { unit: '150825', role: 'banner-duty-officer' },
    ]);
    expect(mod.engine.timeline(id).find((e) => e.type === 'paged')?.data).toMatchObject({
      people: ['p-gang'],
    });
    await mod.handlers!.pos!({
      seq: 99,
      deviceId: 'trk-patrol-150825-03',
      kind: 'pos',
      msg: {
        v: 1,
        id: 'trk:pos:1',
        ts: tc.clock.now(),
        t0: tc.clock.now(),
        fixes: [[0, 42.41, 106.87, null, null, null, null]],
      },
      receivedAt: tc.clock.now(),
    });
    expect(mod.engine.get(id)?.pos).toMatchObject({ lat: 42.41, lon: 106.87 });
    expect(mod.engine.positions(id)).toHaveLength(1);
  });

  it('opens rule alerts through the sink, counts repeats, and clears them', async () => {
    await start();
    const input = {
      source: 'rule' as const,
      category: 'stray',
      severity: 'medium' as const,
      unitId: '150824-104-007-03',
      key: 'stray:hh-150824-104-0007:col-150824-104-0007-a',
      at: tc.clock.now(),
      summary: { zh: '畜群越出草场', mn: 'ᠮᠠᠯ ᠰᠡᠯᠡᠭᠡ ᠭᠠᠷᠪᠠ', en: 'Herd left its pasture' },
    };
    const a = await mod.sink.raise(input);
    const b = await mod.sink.raise({ ...input, at: input.at + 60_000 });
    expect(a.created).toBe(true);
    expect(b).toEqual({ incidentId: a.incidentId, created: false });
    await mod.sink.clear(input.key, input.at + 120_000, 'herd is back');
    expect(mod.engine.get(a.incidentId)).toMatchObject({ state: 'resolved', presses: 2 });
    expect((await mod.sink.raise(input)).created).toBe(true);
  });
  it('pages the units a rule asks to notify at once alongside the first level', async () => {
    await start();
    await mod.sink.raise({
      source: 'rule',
      category: 'border-crossing',
      severity: 'high',
      unitId: '150824-104-007-03',
      alsoNotify: ['150824-104'],
      key: 'border-crossing:col-150824-104-0007-a',
      at: tc.clock.now(),
      summary: { zh: '畜群越过边境线', mn: 'ᠮᠠᠯ ᠬᠢᠯ ᠬᠦᠷᠦᠭᠡ ᠳᠠᠪᠠᠪᠠ', en: 'Herd crossed the border line' },
    });
    await settle();
    expect(alertsTo(tc, 'p-bater')).toMatchObject([{ level: 0, severity: 'high' }]);
    expect(alertsTo(tc, 'p-wangjg')).toMatchObject([{ level: 0 }]); // the township station, at once
  });

  it('keeps an incident open when nobody is on duty anywhere, says so, and routes it when someone is', async () => {
    await start(createIncidentsModule({ jobs: false, rerouteEveryMs: 5 * MIN }));
    const allOff = ['grid-worker', 'grid-leader'].map((role) => ({
      kind: 'leave' as const,
      unit: '150824-104-007-03',
      role: role as 'grid-worker',
      person: role === 'grid-worker' ? 'p-bater' : 'p-wuyun',
      from: '2025-11-25T07:00:00+08:00',
      to: '2025-11-25T08:07:00+08:00',
    }));
    const higher = [
      { unit: '150824-104-007', role: 'village-secretary' as const, person: 'p-erdun' },
      { unit: '150824-104', role: 'station-officer' as const, person: 'p-wangjg' },
      { unit: '150824', role: 'banner-duty-officer' as const, person: 'p-saren' },
    ].map((x) => ({
      ...x,
      kind: 'leave' as const,
      from: '2025-11-25T07:00:00+08:00',
      to: '2025-11-25T09:00:00+08:00',
    }));
    expect(
      mod.rosters.import(
        { timeZone: 'Asia/Shanghai', rotations: [], overrides: [...allOff, ...higher] },
        tc.clock.now(),
      ).ok,
    ).toBe(true);
    await mod.handlers!.sos!(sos(tc, BOX));
    await settle();
    const id = mod.engine.openIncidentId(`sos:hh-150824-104-0007`)!;
    expect(mod.engine.get(id)).toMatchObject({ state: 'open', level: -1, nextAction: 'route' });
    expect(mod.engine.timeline(id).filter((e) => e.type === 'skipped')).toHaveLength(5);
    expect(mod.engine.timeline(id).at(-1)?.type).toBe('unrouted');
    expect(acksTo(tc, BOX).map((a) => a.state)).toEqual(['open']);
    await settle(5 * MIN); // 08:05: still nobody
    expect(mod.engine.get(id)?.state).toBe('open');
    await settle(5 * MIN); // 08:10: 巴特尔's leave ended at 08:07
    expect(alertsTo(tc, 'p-bater')).toHaveLength(1);
    expect(mod.engine.get(id)?.state).toBe('notified');
  });
});
