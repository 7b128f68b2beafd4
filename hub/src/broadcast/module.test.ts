import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '@steppelink/protocols';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubContext, Publisher } from '../context.ts';
import { HubEvents } from '../events.ts';
import type { AlertInput, IncidentSink } from '../incidents/port.ts';
import { silentLogger } from '../log.ts';
import { SMALL_LEAGUE } from '../registry/fixture.ts';
import { openSqliteRegistry } from '../registry/sqlite-store.ts';
import { type Db, openDatabase } from '../state/db.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { type BroadcastModule, createBroadcastModule } from './module.ts';
import type { NoticeDraft } from './schema.ts';

/** Records what would go to the broker; the end-to-end tests use the real one. */
class RecordingPublisher implements Publisher {
  sent: { topic: string; payload: Buffer }[] = [];
  async publish(topic: string, payload: Buffer) {
    this.sent.push({ topic, payload });
  }
  isConnected() {
    return true;
  }
}

const blizzard: NoticeDraft = {
  targets: ['150824-104'],
  priority: 'emergency',
  texts: {
    zh: '暴雪预警：今夜巴音乌兰苏木有大到暴雪，请将牲畜赶回棚圈。',
    mn: 'ᠴᠠᠰᠤᠨ ᠵᠤᠳ ᠤᠨ ᠰᠡᠷᠡᠮᠵᠢᠯᠡᠬᠦᠯᠦᠯ',
    en: 'Blizzard warning for Bayan Ulaan Sumu tonight: bring livestock into shelters.',
  },
  durationHours: 24,
};
const officer = { personId: 'p-wangjg', unitId: '150824-104', name: '王建国' };

describe('broadcast module', () => {
  let dir: string;
  let db: Db;
  let clock: ManualClock;
  let publisher: RecordingPublisher;
  let raised: AlertInput[];
  let mod: BroadcastModule;
  let crons: { expr: string; tz: string; fn: () => void }[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sl-broadcast-'));
    db = openDatabase(join(dir, 'state.db'));
    const registry = openSqliteRegistry(db);
    await registry.importDocument(SMALL_LEAGUE);
    clock = new ManualClock();
    publisher = new RecordingPublisher();
    raised = [];
    crons = [];
    const sink: IncidentSink = {
      raise: async (i) => {
        raised.push(i);
        return { incidentId: `inc-${raised.length}`, created: true };
      },
      clear: async () => {},
    };
    mod = createBroadcastModule({
      sink,
      scheduleCron: (expr, tz, fn) => {
        crons.push({ expr, tz, fn });
        return { stop() {} };
      },
    });
    const ctx = {
      db,
      registry,
      publisher,
      clock,
      events: new HubEvents(),
      log: silentLogger(),
    } as unknown as HubContext;
    await mod.start(ctx);
  });
  afterEach(async () => {
    await mod.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes once per target unit topic, as a valid notice message', async () => {
    const n = await mod.createNotice({ ...blizzard, targets: ['150824-104', '150825'] }, officer);
    expect(publisher.sent.map((s) => s.topic)).toEqual([
      'sl/v1/unit/150824-104/notice',
      'sl/v1/unit/150825/notice',
    ]);
    const msg = decode('notice', publisher.sent[0]!.payload);
    expect(msg.ok && msg.value).toMatchObject({
      noticeId: n.id,
      priority: 'emergency',
      requireRead: true,
      audio: 'siren',
    });
    expect(n.state).toBe('published');
    expect(mod.store().auditTrail(n.id)).toEqual([
      expect.objectContaining({ actor: 'p-wangjg', action: 'create' }),
    ]);
  });

  it('holds a scheduled notice until its start, then publishes it', async () => {
    const n = await mod.createNotice({ ...blizzard, validFrom: clock.now() + 3_600_000 }, officer);
    expect(publisher.sent).toHaveLength(0);
    expect(mod.store().get(n.id)?.state).toBe('scheduled');
    await clock.advance(3_599_000);
    expect(publisher.sent).toHaveLength(0);
    await clock.advance(2_000);
    expect(publisher.sent).toHaveLength(1);
    expect(mod.store().get(n.id)?.state).toBe('published');
  });

  it('withholds expired and cancelled notices at the broker', async () => {
    const n = await mod.createNotice({ ...blizzard, durationHours: 1 }, officer);
    const payload = publisher.sent[0]!.payload;
    expect(mod.forwardFilter!('stb-150824-104-0007', 'sl/v1/unit/150824-104/notice', payload)).toBe(true);
    await clock.advance(3_600_000);
    expect(mod.forwardFilter!('stb-150824-104-0007', 'sl/v1/unit/150824-104/notice', payload)).toBe(false);
    const m = await mod.createNotice(blizzard, officer);
    expect(mod.cancelNotice(m.id, 'p-wangjg')).toBe(true);
    expect(
      mod.forwardFilter!(
        'stb-150824-104-0007',
        'sl/v1/unit/150824-104/notice',
        publisher.sent.at(-1)!.payload,
      ),
    ).toBe(false);
    expect(mod.forwardFilter!('x', 'sl/v1/worker/p-bater/alert', Buffer.from('{}'))).toBe(true);
    expect(n.id).not.toBe(m.id);
  });

  it('sends a connecting box every still-valid notice it has not confirmed, and only for its units', async () => {
    const inSumu = await mod.createNotice(blizzard, officer);
    await mod.createNotice(
      { ...blizzard, targets: ['150825'] },
      { personId: 'p-zhangli', unitId: '150825', name: '张丽' },
    );
    publisher.sent = [];
    await mod.onDeviceSubscribed!('stb-150824-104-0007', ['sl/v1/stb-150824-104-0007/down/#']);
    expect(publisher.sent.map((s) => s.topic)).toEqual(['sl/v1/stb-150824-104-0007/down/notice']);
    expect(JSON.parse(publisher.sent[0]!.payload.toString()).noticeId).toBe(inSumu.id);

    publisher.sent = [];
    mod.handlers!.receipt!({
      seq: 1,
      deviceId: 'stb-150824-104-0007',
      kind: 'receipt',
      receivedAt: clock.now(),
      msg: { v: 1, id: 'r1', ts: clock.now(), noticeId: inSumu.id, state: 'delivered' },
    });
    await mod.onDeviceSubscribed!('stb-150824-104-0007', ['sl/v1/stb-150824-104-0007/down/#']);
    await mod.onDeviceSubscribed!('col-150824-104-0007-a', ['sl/v1/col-150824-104-0007-a/down/#']); // not a TV box
    await mod.onDeviceSubscribed!('stb-150824-104-0007', ['sl/v1/unit/150824/notice']); // not its downlink
    expect(publisher.sent).toHaveLength(0);
    await clock.advance(25 * 3_600_000);
    await mod.onDeviceSubscribed!('stb-150824-104-0008', ['sl/v1/stb-150824-104-0008/down/#']);
    expect(publisher.sent).toHaveLength(0); // expired
  });

  it('keeps per-unit progress from receipts and lists households not reached', async () => {
    const n = await mod.createNotice(blizzard, officer);
    const receipt = (deviceId: string, state: 'delivered' | 'read', id: string) =>
      mod.handlers!.receipt!({
        seq: 1,
        deviceId,
        kind: 'receipt',
        receivedAt: clock.now(),
        msg: { v: 1, id, ts: clock.now(), noticeId: n.id, state },
      });
    await receipt('stb-150824-104-0007', 'delivered', 'a');
    await receipt('stb-150824-104-0007', 'read', 'b');
    await receipt('stb-150824-104-0008', 'delivered', 'c');
    await receipt('stb-150824-104-0008', 'delivered', 'c2'); // a repeat changes nothing
    const grids = mod.store().progressByGrid(n.id, n.targets);
    expect(grids).toEqual([
      { unitId: '150824-104-007-01', targeted: 1, delivered: 0, read: 0, outstanding: 1 },
      { unitId: '150824-104-007-03', targeted: 3, delivered: 2, read: 1, outstanding: 1 },
    ]);
    expect(
      mod
        .store()
        .unreached(n.id, n.targets, 'delivered')
        .map((h) => h.householdId),
    ).toEqual(['hh-150824-104-0002', 'hh-150824-104-0009']);
  });

  it('turns an unread emergency notice into one visit task per grid after the deadline, once', async () => {
    const n = await mod.createNotice({ ...blizzard, readDeadlineMinutes: 30 }, officer);
    await mod.handlers!.receipt!({
      seq: 1,
      deviceId: 'stb-150824-104-0002',
      kind: 'receipt',
      receivedAt: clock.now(),
      msg: { v: 1, id: 'r', ts: clock.now(), noticeId: n.id, state: 'read' },
    });
    await clock.advance(29 * 60_000);
    expect(raised).toHaveLength(0);
    await clock.advance(2 * 60_000);
    expect(raised.map((r) => [r.unitId, r.key, r.category])).toEqual([
      ['150824-104-007-03', `notice-unread:${n.id}:150824-104-007-03`, 'notice-unread'],
    ]);
    expect(raised[0]!.summary.zh).toContain('3 户');
    await mod.runDue();
    expect(raised).toHaveLength(1);
  });

  it('creates a notice each time a recurring schedule fires', async () => {
    db.prepare(
      `INSERT INTO notice_schedules (id, cron, timezone, template, created_by, created_at, active) VALUES ('s1', '0 8 1 4 *', 'Asia/Shanghai', ?, 'p-saren', 0, 1)`,
    ).run(JSON.stringify({ ...blizzard, priority: 'information', targets: ['150824'] }));
    mod.armSchedule('s1');
    expect(crons.map((c) => [c.expr, c.tz])).toEqual([['0 8 1 4 *', 'Asia/Shanghai']]);
    crons[0]!.fn();
    await new Promise((r) => setImmediate(r));
    expect(publisher.sent.map((s) => s.topic)).toEqual(['sl/v1/unit/150824/notice']);
  });
});
