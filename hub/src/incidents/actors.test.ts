import { type Alert, alertSchema, downTopic, type SosAck, workerAlertTopic } from '@steppelink/protocols';
import { afterEach, describe, expect, it } from 'vitest';
import { SMALL_LEAGUE } from '../registry/fixture.ts';
import type { RegistryDocument } from '../registry/schema.ts';
import { createIncidentsModule, type IncidentsModule } from './module.ts';
import { acceptedSos, acceptedWorkerAck, type TestContext, testContext } from './testing.ts';

const MIN = 60_000;
const BOX = 'stb-150824-104-0007'; // 其其格's household, grid 150824-104-007-03
const alertsTo = (tc: TestContext, person: string) => tc.publisher.on(workerAlertTopic(person)) as Alert[];
const acksTo = (tc: TestContext) => tc.publisher.on(downTopic(BOX, 'sos-ack')) as SosAck[];

/** 王建国 also administers the registry of his banner, listed first. */
const ADMIN_FIRST: RegistryDocument = {
  ...SMALL_LEAGUE,
  people: SMALL_LEAGUE.people.map((p) =>
    p.id === 'p-wangjg'
      ? {
          ...p,
          roles: [
            { role: 'admin' as const, unit: '150824' },
            { role: 'station-officer' as const, unit: '150824-104' },
          ],
        }
      : p,
  ),
};

const sos = (tc: TestContext) => acceptedSos(tc, BOX);
const workerAck = acceptedWorkerAck;

describe('who acted, in which role, and what a refused or declined ack leaves behind (issue #20 a–d)', () => {
  let tc: TestContext;
  let mod: IncidentsModule;
  const start = async (doc?: RegistryDocument) => {
    tc = testContext(doc ? { doc } : {});
    mod = createIncidentsModule({ jobs: false });
    await mod.start(tc.ctx);
    await mod.handlers!.sos!(sos(tc));
    await settle();
    return alertsTo(tc, 'p-bater')[0]!.incidentId;
  };
  const settle = async (ms = 0) => {
    await tc.clock.advance(ms);
    await mod.idle();
  };
  afterEach(async () => {
    await mod?.close();
    tc?.close();
  });

  it('names the role a person was paged in, not the first role they hold (a)', async () => {
    const id = await start(ADMIN_FIRST);
    await settle(3 * MIN + 3 * MIN + 5 * MIN); // grid worker, grid leader, village secretary silent
    expect(alertsTo(tc, 'p-wangjg')).toMatchObject([{ level: 3, role: 'station-officer' }]);
    await mod.handlers!['worker-ack']!(workerAck(tc, 'p-wangjg', id));
    await settle();
    const ack = acksTo(tc).at(-1)!;
    expect(ack).toMatchObject({ state: 'acknowledged', by: { name: '王建国', role: 'station-officer' } });
    expect(ack.texts.zh).toContain('警民服务站值班员王建国已收到您的求救');
    expect(mod.engine.timeline(id).at(-1)).toMatchObject({
      type: 'acknowledged',
      actorRole: 'station-officer',
    });
  });

  it('records the role on every human action, from the phone and from the API (b)', async () => {
    const id = await start();
    await mod.handlers!['worker-ack']!(workerAck(tc, 'p-bater', id));
    // as the API builds its actor (actorOf): no role given
    expect((await mod.engine.act(id, 'dispatch', { kind: 'person', id: 'p-wuyun', name: '乌云' })).ok).toBe(
      true,
    );
    expect((await mod.engine.act(id, 'resolve', { kind: 'person', id: 'p-bater', name: '巴特尔' })).ok).toBe(
      true,
    );
    const human = mod.engine.timeline(id).filter((e) => e.actor?.startsWith('p-'));
    expect(human.map((e) => [e.type, e.actor, e.actorRole])).toEqual([
      ['acknowledged', 'p-bater', 'grid-worker'],
      ['dispatched', 'p-wuyun', 'grid-leader'],
      ['resolved', 'p-bater', 'grid-worker'],
    ]);
  });

  it('says the level declined, not that it timed out, when declines make it climb (c)', async () => {
    const id = await start();
    await mod.handlers!['worker-ack']!(workerAck(tc, 'p-bater', id, 'decline'));
    await settle();
    const escalated = mod.engine.timeline(id).find((e) => e.type === 'escalated')!;
    expect(escalated).toMatchObject({ level: 0, note: '巴特尔 均已拒绝', data: { cause: 'declined' } });
    expect(escalated.note).not.toMatch(/未在|内确认/);
    expect(alertsTo(tc, 'p-wuyun')).toMatchObject([{ level: 1 }]);
    await settle(3 * MIN); // 乌云 silent: that one is a timeout
    const timedOut = mod.engine.timeline(id).filter((e) => e.type === 'escalated')[1];
    expect(timedOut).toMatchObject({ level: 1, note: '乌云 未在 3分钟 内确认', data: { cause: 'due' } });
  });

  it('dead-letters an ack refused by scope and tells the phone why (d)', async () => {
    const id = await start();
    // 张丽 is on duty for the other banner: not paged, no role within this incident's unit
    await expect(mod.handlers!['worker-ack']!(workerAck(tc, 'p-zhangli', id))).rejects.toThrow(
      /worker-ack wack-\d+ from p-zhangli refused: not paged for inc-\w+ and no duty role within 150824-104-007-03/,
    );
    await settle();
    expect(mod.engine.get(id)).toMatchObject({ state: 'notified', ackBy: null });
    const [reply] = alertsTo(tc, 'p-zhangli');
    expect(alertSchema.safeParse(reply).error).toBeUndefined();
    expect(reply).toMatchObject({ incidentId: id, severity: 'low' });
    expect(reply!.summary.zh).toMatch(/^【确认未被接受】您未被呼叫处理此事件/);
    expect(reply!.household).toBeUndefined(); // nothing of an incident they may not see
    expect(reply!.summary.zh).not.toContain('其其格');

    await expect(mod.handlers!['worker-ack']!(workerAck(tc, 'p-zhangli', 'inc-nonexistent'))).rejects.toThrow(
      /refused: no incident inc-nonexistent/,
    );
    await settle();
    expect(alertsTo(tc, 'p-zhangli').at(-1)?.summary.en).toBe(
      '[Acknowledgement not accepted] There is no such incident.',
    );
  });
});
