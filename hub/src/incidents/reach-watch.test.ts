import { workerAlertTopic } from '@steppelink/protocols';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncidentsModule, type IncidentsModule } from './module.ts';
import { acceptedSos, type TestContext, testContext } from './testing.ts';

const BOX = 'stb-150824-104-0007'; // 其其格's household; 巴特尔 (grid worker) then 乌云 (grid leader)
const FALLBACK_MS = 15_000;

describe('a level nobody could be reached at (module, real SQLite, fake clock)', () => {
  let tc: TestContext;
  let mod: IncidentsModule;
  beforeEach(async () => {
    tc = testContext();
    mod = createIncidentsModule({ jobs: false, delivery: { fallbackAfterMs: FALLBACK_MS } });
    await mod.start(tc.ctx);
  });
  afterEach(async () => {
    await mod.close();
    tc.close();
  });
  const timeline = (id: string) => mod.engine.timeline(id).map((e) => `${e.type}@${e.level}`);

  it('climbs once the first page is overdue without a PUBACK, however its outcome and the commit interleave', async () => {
    tc.publisher.puback = false; // the broker holds the page; the phone never acknowledges
    await mod.handlers!.sos!(acceptedSos(tc, BOX));
    await mod.idle();
    const [page] = tc.publisher.on(workerAlertTopic('p-bater')) as { incidentId: string }[];
    expect(mod.engine.get(page!.incidentId)).toMatchObject({ level: 0 });
    await tc.clock.advance(FALLBACK_MS - 1);
    await mod.idle();
    expect(timeline(page!.incidentId)).not.toContain('unreachable@0');
    await tc.clock.advance(1);
    await mod.idle();
    await new Promise((r) => setImmediate(r));
    expect(timeline(page!.incidentId)).toContain('unreachable@0');
    expect(mod.engine.get(page!.incidentId)).toMatchObject({ level: 1 });
    expect(tc.publisher.on(workerAlertTopic('p-wuyun'))).toHaveLength(1);
    // The grid leader's page went after the commit (not ahead of it): the same must hold.
    await tc.clock.advance(FALLBACK_MS);
    await mod.idle();
    await new Promise((r) => setImmediate(r));
    expect(timeline(page!.incidentId)).toContain('unreachable@1');
    expect(mod.engine.get(page!.incidentId)).toMatchObject({ level: 2 });
  });

  it('climbs at once, level after level, when nobody is subscribed to any of the pages', async () => {
    await mod.close();
    tc.publisher.hasSubscriber = async () => false; // no phone session anywhere: no-listener
    mod = createIncidentsModule({ jobs: false, delivery: { fallbackAfterMs: FALLBACK_MS } });
    await mod.start(tc.ctx);
    await mod.handlers!.sos!(acceptedSos(tc, BOX));
    expect(tc.publisher.published.filter((p) => p.topic.includes('/worker/'))).toHaveLength(0); // nothing "sent"
    const id = tc.db.prepare('SELECT id FROM incidents').pluck().get() as string;
    for (let i = 0; i < 20 && (mod.engine.get(id)?.level ?? 0) < 2; i++) {
      await mod.idle();
      await new Promise((r) => setImmediate(r));
    }
    expect(timeline(id)).toEqual(expect.arrayContaining(['unreachable@0', 'unreachable@1']));
    expect(mod.engine.get(id)?.level).toBeGreaterThanOrEqual(2);
  });

  it('does not climb while the page is acknowledged by the phone', async () => {
    await mod.handlers!.sos!(acceptedSos(tc, BOX));
    await mod.idle();
    await tc.clock.advance(FALLBACK_MS * 2);
    await mod.idle();
    const [page] = tc.publisher.on(workerAlertTopic('p-bater')) as { incidentId: string }[];
    expect(mod.engine.get(page!.incidentId)).toMatchObject({ level: 0 });
    expect(tc.publisher.on(workerAlertTopic('p-wuyun'))).toHaveLength(0);
  });
});
