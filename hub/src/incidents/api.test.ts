import { type Alert, downTopic, sosSchema, workerAlertTopic } from '@steppelink/protocols';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { principalOf } from '../api/auth/principal.ts';
import type { ApiEnv } from '../api/context.ts';
import { createIncidentsModule, type IncidentsModule } from './module.ts';
import type { LeagueRow } from './stats.ts';
import { type TestContext, testContext } from './testing.ts';
import type { IncidentView } from './view.ts';

type Json = Record<string, unknown>;

describe('incidents API', () => {
  let tc: TestContext;
  let mod: IncidentsModule;
  let app: Hono<ApiEnv>;
  /** Requests as a registry person (the real API authenticates; here a header names the principal). */
  const as = (person: string, path: string, init: RequestInit = {}) =>
    app.request(`/api${path}`, {
      ...init,
      headers: { 'x-test-person': person, 'content-type': 'application/json' },
    });
  const post = (person: string, path: string, body: unknown) =>
    as(person, path, { method: 'POST', body: JSON.stringify(body) });
  const raise = async (id = 'sos-api-1') => {
    await mod.handlers!.sos!({
      seq: 1,
      deviceId: 'stb-150824-104-0007',
      kind: 'sos',
      msg: sosSchema.parse({ v: 1, id, ts: tc.clock.now(), action: 'raise', category: 'medical' }),
      receivedAt: tc.clock.now(),
    });
    await mod.idle();
    return (tc.publisher.on(workerAlertTopic('p-bater'))[0] as Alert).incidentId;
  };

  beforeEach(async () => {
    tc = testContext();
    mod = createIncidentsModule({ jobs: false });
    await mod.start(tc.ctx);
    const api = new Hono<ApiEnv>().use(async (c, next) => {
      const person = tc.ctx.registry.getPerson(c.req.header('x-test-person') ?? '');
      if (!person) return c.json({ error: { code: 'unauthenticated', message: 'no such test person' } }, 401);
      c.set('principal', principalOf(person, 'token'));
      await next();
    });
    app = new Hono().route('/api', api.route('/', mod.routes)) as unknown as Hono<ApiEnv>;
  });
  afterEach(async () => {
    await mod.close();
    tc.close();
  });

  it('lists and shows incidents only within the caller’s units', async () => {
    const id = await raise();
    const mine = (await (await as('p-bater', '/incidents?state=active')).json()) as { items: IncidentView[] };
    expect(mine.items.map((i) => i.id)).toEqual([id]);
    expect(mine.items[0]).toMatchObject({
      state: 'notified',
      household: { name: '其其格' },
      category: 'medical',
    });
    const other = (await (await as('p-zhangli', '/incidents')).json()) as { items: unknown[] };
    expect(other.items).toEqual([]);
    expect((await as('p-bater', '/incidents?unit=150825')).status).toBe(403);
    expect((await as('p-zhangli', `/incidents/${id}`)).status).toBe(404);
    const detail = (await (await as('p-saren', `/incidents/${id}`)).json()) as Json;
    expect((detail.timeline as Json[]).map((e) => e.type)).toEqual(['open', 'paged', 'notified']);
    expect((detail.deliveries as Json[]).some((d) => d.channel === 'mqtt' && d.status === 'delivered')).toBe(
      true,
    );
    // the countdown the board shows: the grid worker has 3 minutes, whatever reminders fall before
    expect(mine.items[0]!.escalateAt).toBe(mine.items[0]!.openedAt + 3 * 60_000);
    await tc.clock.advance(60_000); // a reminder is due first; the escalation deadline stays
    const later = (await (await as('p-bater', `/incidents/${id}`)).json()) as { incident: IncidentView };
    expect(later.incident.next?.action).toBe('remind');
    expect(later.incident.escalateAt).toBe(mine.items[0]!.openedAt + 3 * 60_000);
  });

  it('?state=open lists every incident not closed yet, a paged SOS included (issue #24 defect 3)', async () => {
    const id = await raise();
    const list = async (q: string) =>
      ((await (await as('p-saren', `/incidents${q}`)).json()) as { items: IncidentView[] }).items.map(
        (i) => i.id,
      );
    expect(await list('?state=open')).toEqual([id]); // it is `notified`: paged, not yet acknowledged
    expect(await list('?state=active')).toEqual([id]);
    expect(await list('?state=notified')).toEqual([id]);
    expect(await list('?state=closed')).toEqual([]);
    await post('p-bater', `/incidents/${id}/ack`, {});
    expect(await list('?state=open')).toEqual([id]);
    expect(await list('?state=acknowledged')).toEqual([id]);
    await post('p-bater', `/incidents/${id}/resolve`, { note: 'arrived' });
    expect(await list('?state=open')).toEqual([]);
    expect(await list('?state=closed')).toEqual([id]);
    expect(await list('?state=open,resolved')).toEqual([id]); // values are alternatives
    const bad = await as('p-saren', '/incidents?state=opened');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_query');
  });

  it('takes escalation policies through the API: validated, audited, for new incidents only (issue #24)', async () => {
    const before = await raise('sos-before');
    const put = (person: string, body: unknown) =>
      as(person, '/policies', { method: 'PUT', body: JSON.stringify(body) });
    const policy = {
      ackTimeoutMs: [60_000],
      reminderEveryMs: 0,
      topReminderEveryMs: 600_000,
      topReminders: 1,
      dispatchTimeoutMs: null,
    };
    const bad = await put('p-league', {
      unit: '150824',
      severity: 'critical',
      policy: { ...policy, ackTimeoutMs: [5_000] },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/at least 30 s/);
    expect((await put('p-saren', { unit: '150824', severity: 'critical', policy })).status).toBe(403); // an officer, not an admin
    const ok = await put('p-league', { unit: '150824', severity: 'critical', policy });
    expect(ok.status).toBe(200);
    const eff = (await (
      await as('p-bater', '/policies/effective?unit=150824-104-007-03&severity=critical')
    ).json()) as {
      policies: { critical: { source: string } };
    };
    expect(eff.policies.critical.source).toBe('unit:150824:critical@1');
    // the open incident keeps the default (3 min); its household's next emergency gets 1 min
    await post('p-bater', `/incidents/${before}/resolve`, {});
    await tc.clock.advance(5 * 60_000);
    await mod.handlers!.sos!({
      seq: 2,
      deviceId: 'stb-150824-104-0007',
      kind: 'sos',
      msg: sosSchema.parse({
        v: 1,
        id: 'sos-after',
        ts: tc.clock.now(),
        action: 'raise',
        category: 'medical',
      }),
      receivedAt: tc.clock.now(),
    });
    await mod.idle();
    const list = (await (await as('p-saren', '/incidents?state=open')).json()) as { items: IncidentView[] };
    const after = list.items[0]!;
    expect(after.id).not.toBe(before);
    expect(after.escalateAt).toBe(after.openedAt + 60_000);
    const old = (await (await as('p-saren', `/incidents/${before}`)).json()) as {
      timeline: { type: string; data: Json }[];
    };
    expect(old.timeline.find((e) => e.type === 'open')?.data.policy).toBe('default');
    const audit = (await (await as('p-league', '/policies/audit')).json()) as {
      items: { by: string; unit: string }[];
    };
    expect(audit.items).toEqual([
      expect.objectContaining({ by: 'p-league', byName: '李明', unit: '150824', action: 'set' }),
    ]);
  });

  it('runs a drill SOS on the real path with its own short windows, out of the statistics, with a report (issue #24)', async () => {
    const start = (person: string, body: unknown) => post(person, '/drills', body);
    expect((await start('p-bater', { household: 'hh-150824-104-0007' })).status).toBe(403); // a grid worker
    expect((await start('p-saren', { household: 'hh-150824-104-0007', unit: '150824' })).status).toBe(400);
    const r = await start('p-saren', { household: 'hh-150824-104-0007' });
    expect(r.status).toBe(201);
    const { incidentId, box } = (await r.json()) as { incidentId: string; box: string };
    expect(box).toBe('stb-150824-104-0007');
    await mod.idle();
    // the grid worker is paged for real, the page says it is a drill
    const page = tc.publisher.on(workerAlertTopic('p-bater'))[0] as Alert;
    expect(page.incidentId).toBe(incidentId);
    expect(JSON.stringify(page)).toContain('【演练】');
    // the household's box hears of it, marked as a drill
    const acks = tc.publisher.on(downTopic(box, 'sos-ack')) as { drill?: boolean; texts: { en: string } }[];
    expect(acks.length).toBeGreaterThan(0);
    expect(acks.every((a) => a.drill === true && a.texts.en.startsWith('DRILL:'))).toBe(true);
    // the drill's window is 1 minute (the real one 3): then the grid leader
    await tc.clock.advance(60_000);
    await mod.idle();
    expect(
      (tc.publisher.on(workerAlertTopic('p-wuyun')) as Alert[]).some((a) => a.incidentId === incidentId),
    ).toBe(true);
    await tc.clock.advance(15_000);
    expect((await post('p-wuyun', `/incidents/${incidentId}/ack`, {})).status).toBe(200);
    await post('p-wuyun', `/incidents/${incidentId}/resolve`, { note: 'drill over' });
    const report = (await (await as('p-saren', `/drills/${incidentId}/report`)).json()) as {
      householdName: string;
      startedBy: { id: string; name: string };
      paged: { person: string; level: number; role: string }[];
      acknowledged: { by: string; afterS: number };
      policy: { source: string };
      box: { acks: number };
    };
    expect(report.policy.source).toBe('drill');
    expect([report.householdName, report.startedBy]).toEqual(['其其格', { id: 'p-saren', name: '萨仁' }]);
    expect(report.paged.map((p) => [p.person, p.level, p.role])).toEqual(
      expect.arrayContaining([
        ['p-bater', 0, 'grid-worker'],
        ['p-wuyun', 1, 'grid-leader'],
      ]),
    );
    expect(report.acknowledged).toEqual(expect.objectContaining({ by: 'p-wuyun', afterS: 75 }));
    expect(report.box.acks).toBeGreaterThan(1);
    // out of the league table: nothing was opened there for real
    const stats = (await (
      await as('p-erdun', '/incidents/stats?unit=150824-104-007&level=grid&from=1764000000000')
    ).json()) as { rows: LeagueRow[] };
    expect(stats.rows.reduce((n, row) => n + row.opened, 0)).toBe(0);
    const drills = (await (await as('p-saren', '/drills')).json()) as {
      items: { id: string; householdName: string }[];
    };
    expect(drills.items.map((x) => [x.id, x.householdName])).toEqual([[incidentId, '其其格']]);
  });

  it('acknowledges, dispatches and resolves with notes; refuses what the state or scope does not allow', async () => {
    const id = await raise();
    expect((await post('p-menghe', `/incidents/${id}/ack`, {})).status).toBe(404);
    const ack = await post('p-wuyun', `/incidents/${id}/ack`, { note: '我离得近，先过去' });
    expect(ack.status).toBe(200);
    expect(((await ack.json()) as { incident: IncidentView }).incident).toMatchObject({
      state: 'acknowledged',
      ack: { by: { id: 'p-wuyun', name: '乌云' } },
    });
    expect((await post('p-bater', `/incidents/${id}/ack`, {})).status).toBe(409);
    expect((await post('p-wuyun', `/incidents/${id}/dispatch`, { rescue: 'drone' })).status).toBe(400);
    const d = await post('p-wangjg', `/incidents/${id}/dispatch`, {
      rescue: 'ambulance',
      note: '旗医院120已出车',
    });
    expect(((await d.json()) as { incident: IncidentView }).incident.dispatch).toMatchObject({
      rescue: 'ambulance',
    });
    await tc.clock.advance(40 * 60_000);
    const r = await post('p-wuyun', `/incidents/${id}/resolve`, { note: '老人已送医' });
    expect(((await r.json()) as { incident: IncidentView }).incident.state).toBe('resolved');
    const timeline = ((await (await as('p-wuyun', `/incidents/${id}`)).json()) as { timeline: Json[] })
      .timeline;
    expect(timeline.find((e) => e.type === 'acknowledged')).toMatchObject({
      actor: 'p-wuyun',
      note: '我离得近，先过去',
    });
    expect(timeline.find((e) => e.type === 'dispatched')).toMatchObject({ actor: 'p-wangjg' });
  });

  it('takes worker reports (事件上报), idempotent by the client id, never paging the reporter', async () => {
    const body = {
      id: 'rpt-bater-0001',
      category: 'dispute',
      severity: 'medium',
      note: '两户因草场界线发生争执',
    };
    const first = await post('p-bater', '/reports', body);
    expect(first.status).toBe(201);
    const again = await post('p-bater', '/reports', body);
    expect(again.status).toBe(200);
    const inc = ((await first.json()) as { incident: IncidentView }).incident;
    expect(((await again.json()) as { incident: IncidentView }).incident.id).toBe(inc.id);
    expect(inc).toMatchObject({
      source: 'report',
      unit: { id: '150824-104-007-03' },
      reporter: { id: 'p-bater' },
    });
    await mod.idle();
    expect(tc.publisher.on(workerAlertTopic('p-bater'))).toHaveLength(0);
    expect(tc.publisher.on(workerAlertTopic('p-wuyun'))).toHaveLength(1);
    expect((await post('p-bater', '/reports', { ...body, id: 'x2', unit: '150825-201-003-02' })).status).toBe(
      403,
    );
  });

  it('edits rosters within the editor’s units and answers who is on duty', async () => {
    const roster = {
      rotations: [
        {
          unit: '150824-104-007-03',
          role: 'grid-worker',
          period: 'daily',
          handover: '08:00',
          startDate: '2025-11-24',
          members: ['p-bater', 'p-aodeng'],
        },
      ],
      overrides: [],
    };
    const put = (person: string) =>
      as(person, '/rosters/150824-104-007-03', { method: 'PUT', body: JSON.stringify(roster) });
    expect((await put('p-bater')).status).toBe(403);
    expect((await put('p-wuyun')).status).toBe(200);
    const duty = async (at: string) =>
      (
        (await (await as('p-bater', `/duty?unit=150824-104-007-03&at=${encodeURIComponent(at)}`)).json()) as {
          levels: { role: string; people: { name: string }[] }[];
        }
      ).levels[0]?.people.map((p) => p.name);
    expect(await duty('2025-11-25T07:59:00+08:00')).toEqual(['巴特尔']);
    expect(await duty('2025-11-25T08:00:00+08:00')).toEqual(['敖登']);
    const got = (await (await as('p-saren', '/rosters?unit=150824-104')).json()) as { rotations: unknown[] };
    expect(got.rotations).toHaveLength(1);
    const bad = await as('p-wuyun', '/rosters/150824-104-007-03', {
      method: 'PUT',
      body: JSON.stringify({ rotations: [{ ...roster.rotations[0], members: ['p-nobody'] }] }),
    });
    expect(bad.status).toBe(400);
  });

  it('answers response statistics per unit as JSON and as CSV', async () => {
    const id = await raise();
    await tc.clock.advance(90_000);
    await post('p-bater', `/incidents/${id}/ack`, {});
    await tc.clock.advance(20 * 60_000);
    await post('p-bater', `/incidents/${id}/resolve`, {});
    const q = '/incidents/stats?unit=150824-104-007&level=grid&from=1764000000000';
    const json = (await (await as('p-erdun', q)).json()) as { rows: LeagueRow[] };
    expect(json.rows.map((r) => r.unit)).toEqual(['150824-104-007-03', '150824-104-007-01']);
    expect(json.rows[0]).toMatchObject({
      rank: 1,
      opened: 1,
      ttaMedianS: 90,
      ttrMedianS: 1290,
      unacknowledged: 0,
    });
    const res = await as('p-erdun', `${q}&format=csv`);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: spreadsheets read the Chinese names
    const csv = new TextDecoder().decode(bytes);
    expect(csv.startsWith('rank,unit,name_zh')).toBe(true);
    expect(csv).toContain(
      '1,150824-104-007-03,巴音哈太嘎查三组,Bayan Hatai group 3,grid,1,1,0,1,90,90,1290,1290,1,0,0',
    ); // 1 re-escalation: acked, not dispatched in 15 min
  });

  it('streams incident changes and pages to the dashboard, scoped to the caller', async () => {
    const res = await as('p-wuyun', '/incidents/stream');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += decoder.decode(value);
      }
    };
    await readUntil('event: hello');
    await raise();
    await readUntil('event: incident');
    expect(text).toContain('"state":"notified"');
    await tc.clock.advance(3 * 60_000); // escalates to the grid leader, who has the stream open
    await mod.idle();
    await readUntil('event: page');
    expect(text).toContain('"level":1');
    await reader.cancel();
  });
});
