import { sosSchema } from '@steppelink/protocols';
import cron from 'node-cron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncidentsModule, type IncidentsModule } from './module.ts';
import { percentile } from './stats.ts';
import { FakeClock, T0, type TestContext, testContext } from './testing.ts';

const MIN = 60_000;
const DAY = 86_400_000;

describe('duty jobs (called directly with fake time)', () => {
  let tc: TestContext;
  let mod: IncidentsModule;
  const raise = async (id: string) => {
    await mod.handlers!.sos!({
      seq: 1,
      deviceId: 'stb-150824-104-0008',
      kind: 'sos',
      msg: sosSchema.parse({ v: 1, id, ts: tc.clock.now(), action: 'raise', category: 'livestock' }),
      receivedAt: tc.clock.now(),
    });
    await mod.idle();
  };
  const deliveries = (kind: string) =>
    tc.db.prepare('SELECT person, channel, payload FROM deliveries WHERE kind = ? ORDER BY id').all(kind) as {
      person: string;
      channel: string;
      payload: string;
    }[];

  beforeEach(async () => {
    tc = testContext({ clock: new FakeClock(T0 - 25 * MIN) }); // T0: 2025-11-25 08:00, 敖登 takes over from 巴特尔
    mod = createIncidentsModule({ jobs: false });
    await mod.start(tc.ctx);
    const r = mod.rosters.import(
      {
        timeZone: 'Asia/Shanghai',
        rotations: [
          {
            unit: '150824-104-007-03',
            role: 'grid-worker',
            period: 'daily',
            handover: '08:00',
            startDate: '2025-11-24',
            members: ['p-bater', 'p-aodeng'],
            perShift: 1,
          },
        ],
        overrides: [],
      },
      tc.clock.now(),
    );
    expect(r.ok).toBe(true);
  });
  afterEach(async () => {
    await mod.close();
    tc.close();
  });

  it('tells the incoming worker about the handover and the open incidents in the grid, once', async () => {
    const notices = (t: number) => mod.jobs.handoverNotices(t);
    expect(notices(T0 - 40 * MIN)).toBe(0); // not yet within the 30 min lead
    await raise('sos-handover-1');
    expect(notices(T0 - 20 * MIN)).toBeGreaterThan(0);
    expect(notices(T0 - 15 * MIN)).toBe(0); // the next run finds it already sent
    const rows = deliveries('handover');
    expect(rows.every((r) => r.person === 'p-aodeng')).toBe(true);
    const page = JSON.parse(rows.find((r) => r.channel === 'stream')!.payload).page;
    expect(page.texts.zh).toMatch(
      /^交接班提醒：您将于08:00接班，担任巴音哈太嘎查三组网格员。辖区内有1起未结事件：SOS：额尔德尼家/,
    );
    expect(page.texts.en).toContain('1 open incident(s)');
  });

  it('hands a notice over once, even when an incident commits after the job wrote it', async () => {
    await raise('sos-handover-2');
    await tc.clock.advance(5 * MIN); // 07:40, within the handover lead
    expect(mod.jobs.handoverNotices(tc.clock.now())).toBeGreaterThan(0);
    await mod.idle(); // the pump has sent it (nobody has the board open: no listener)
    const attempts = () =>
      tc.db.prepare("SELECT key, attempts FROM deliveries WHERE kind = 'handover'").all() as {
        attempts: number;
      }[];
    expect(attempts().map((r) => r.attempts)).toEqual([1]);
    await raise('sos-handover-3'); // the incident engine commits again
    await tc.clock.advance(MIN);
    await mod.idle();
    expect(attempts().map((r) => r.attempts)).toEqual([1]);
  });

  it('writes a daily duty summary per township and sends it to the station on duty', async () => {
    await raise('sos-summary-1');
    await tc.clock.advance(DAY - MIN);
    const out = mod.jobs.dailySummaries(tc.clock.now());
    const sumu = out.find((s) => s.unit === '150824-104')!;
    expect(sumu.body.stats).toMatchObject({ opened: 1, unacknowledged: 1 });
    expect(sumu.body.duty.find((g) => g.grid === '150824-104-007-03')?.levels[0]).toMatchObject({
      role: 'grid-worker',
      people: ['p-aodeng'],
    });
    expect(tc.db.prepare('SELECT count(*) FROM duty_summaries').pluck().get()).toBe(2);
    const sent = deliveries('summary');
    expect(sent.map((r) => r.person)).toContain('p-wangjg');
    expect(JSON.parse(sent[0]!.payload).page.texts.zh).toContain('巴音乌兰苏木');
  });

  it('deletes closed incidents past keeping, with their timeline and deliveries, and keeps open ones', async () => {
    await raise('sos-old');
    const old = mod.engine.openIncidentId('sos:hh-150824-104-0008')!;
    mod.engine.act(
      old,
      'false-alarm',
      { kind: 'person', id: 'p-bater', name: '巴特尔' },
      { note: '孩子误按' },
    );
    await mod.idle();
    await tc.clock.advance(401 * DAY);
    await raise('sos-new');
    const r = mod.jobs.retention(tc.clock.now());
    expect(r.incidents).toBe(1);
    expect(mod.engine.get(old)).toBeUndefined();
    expect(tc.db.prepare('SELECT count(*) FROM incident_events WHERE incident_id = ?').pluck().get(old)).toBe(
      0,
    );
    expect(tc.db.prepare('SELECT count(*) FROM deliveries WHERE incident_id = ?').pluck().get(old)).toBe(0);
    expect(mod.engine.openIncidentId('sos:hh-150824-104-0008')).toBeDefined();
  });
});

describe('cron wiring', () => {
  it('schedules the jobs with injectable expressions and removes them on close', async () => {
    const tc = testContext();
    const mod = createIncidentsModule({ jobs: { handoverCron: '*/10 * * * *', summaryCron: '0 8 * * *' } });
    await mod.start(tc.ctx);
    const names = [...cron.getTasks().values()].map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['incidents-handover', 'incidents-summary', 'incidents-retention']),
    );
    const handover = [...cron.getTasks().values()].find((t) => t.name === 'incidents-handover')!;
    expect(handover.getPattern()).toBe('*/10 * * * *');
    await mod.close();
    expect([...cron.getTasks().values()].filter((t) => t.name?.startsWith('incidents-'))).toHaveLength(0);
    tc.close();
  });

  it('refuses a schedule that is not a cron expression, saying which', async () => {
    const tc = testContext();
    const mod = createIncidentsModule({ jobs: { retentionCron: 'every night' } });
    expect(() => mod.start(tc.ctx)).toThrow('The retention schedule "every night" is not a cron expression.');
    await mod.close();
    tc.close();
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  });
});
