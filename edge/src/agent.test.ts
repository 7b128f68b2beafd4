import { fixtures, type SosAck } from '@steppelink/protocols';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type EdgeAgent } from './agent.ts';
import { createMemoryOutbox } from './outbox/memory.ts';
import type { OutboxStore } from './outbox/port.ts';
import { createFakeLink } from './testing/fake-link.ts';
import { ManualTime } from './testing/manual-time.ts';

const DEV = 'stb-150824-104-0007';
const T = 1_764_028_800_000;
const agents: EdgeAgent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.close();
});

function setup(store: OutboxStore = createMemoryOutbox(), settings = {}) {
  const time = new ManualTime(T);
  const link = createFakeLink({ autoAck: true });
  const agent = createAgent({
    deviceId: DEV,
    secret: 'secret-0007',
    hubUrls: ['mqtt://hub.bayannur.example:1883'],
    units: ['150824', '150824-104'],
    store,
    clock: time,
    timers: time,
    random: () => 0.5,
    connect: link.factory,
    power: () => ({ source: 'solar', battery: 80 }),
    settings: { posIntervalS: 10, posBatchMaxAgeS: 60, ...settings },
  });
  agents.push(agent);
  const online = async () => {
    await agent.start();
    link.current()?.handlers.connect(false);
  };
  const kinds = () => link.messages().map((m) => m.topic.split('/').at(-1));
  return { time, link, agent, store, online, kinds };
}

describe('createAgent', () => {
  it('subscribes to its downlink and its units, and announces itself with a heartbeat', async () => {
    const { link, online, kinds } = setup();
    await online();
    expect(link.current()?.subscriptions).toEqual([
      `sl/v1/${DEV}/down/#`,
      'sl/v1/unit/150824/notice',
      'sl/v1/unit/150824-104/notice',
    ]);
    expect(kinds()).toEqual(['hb']);
    expect(link.messages()[0]?.msg).toMatchObject({ agent: '0.1.0', power: 'solar', battery: 80, outbox: 0 });
  });

  it('takes an SOS press to "received by" through PUBACK and the hub sos-ack', async () => {
    const { link, agent, online } = setup();
    await online();
    const r = agent.input.sosPress('http', 'medical');
    expect(r.ok).toBe(true);
    const sos = link.messages().find((m) => m.topic.endsWith('/sos'));
    expect(sos?.msg).toMatchObject({ action: 'raise', category: 'medical', power: { source: 'solar' } });
    expect(agent.sos.state).toBe('delivered');
    const ack = fixtures['sos-ack'][0] as SosAck;
    link.deliver(`sl/v1/${DEV}/down/sos-ack`, { ...ack, sosId: sos?.msg.id });
    expect(agent.sos.status().message.en).toContain('Bater');
  });

  it('receipts a notice once as delivered and once as read, whatever topic it came on', async () => {
    const { link, agent, online } = setup();
    await online();
    const notice = { ...fixtures.notice[0], validFrom: T - 1000, expiresAt: T + 86_400_000 };
    link.deliver('sl/v1/unit/150824/notice', notice);
    link.deliver('sl/v1/unit/150824-104/notice', notice);
    link.deliver(`sl/v1/${DEV}/down/notice`, notice);
    expect(agent.activeNotices()).toHaveLength(1);
    expect(agent.markNoticeRead('ntc-20251125-blizzard')).toBe('read');
    expect(agent.markNoticeRead('ntc-20251125-blizzard')).toBe('already-read');
    const receipts = link.messages().filter((m) => m.topic.endsWith('/receipt'));
    expect(receipts.map((m) => m.msg.state)).toEqual(['delivered', 'read']);
  });

  it('keeps the SOS key, notices and receipts working when its state cannot be saved (full disk)', async () => {
    const store = createMemoryOutbox();
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const { link, agent, online } = setup(store);
    await online();
    store.setMeta = () => {
      throw full;
    };
    const notice = { ...fixtures.notice[0], validFrom: T - 1000, expiresAt: T + 86_400_000 };
    expect(() => link.deliver(`sl/v1/${DEV}/down/notice`, notice)).not.toThrow();
    expect(agent.activeNotices()).toHaveLength(1);
    expect(link.messages().filter((m) => m.topic.endsWith('/receipt'))).toHaveLength(1);
    const r = agent.input.sosPress('http');
    expect(r.ok && r.status.state).toBe('delivered');
    expect(link.messages().filter((m) => m.topic.endsWith('/sos'))).toHaveLength(1);
  });

  it('counts bad downlink and keeps running', async () => {
    const { link, agent, online } = setup();
    await online();
    link.deliver(`sl/v1/${DEV}/down/notice`, '\u0000garbage');
    link.deliver('sl/v1/unit/150825/notice', fixtures.notice[0]);
    expect(agent.stats().rejectedDownlink).toBe(2);
    expect(agent.state).toBe('running');
  });

  it('samples GPS fixes by posIntervalS and sends them as one position batch', async () => {
    const { time, link, agent, online } = setup();
    await online();
    for (let i = 0; i < 30; i++) {
      agent.input.fix(
        { t: T + i * 1000, lat: 42.4, lon: 106.8 + i * 0.0001, speed: 11, course: 500 },
        { src: 'gpsd' },
      );
    }
    agent.input.fix({ t: T, lat: 95, lon: 106.8 }, { src: 'gpsd' });
    expect(agent.stats().inputs).toMatchObject({ fixes: 31, fixesRecorded: 3, rejected: 1 });
    time.advance(60_000);
    const pos = link.messages().find((m) => m.topic.endsWith('/pos'));
    expect(pos?.msg).toMatchObject({ t0: T, src: 'gpsd' });
    const fixes = (pos?.msg.fixes ?? []) as unknown[][];
    expect(fixes.map((f) => f[0])).toEqual([0, 10_000, 20_000]);
    expect(fixes[0]?.[6]).toBeNull(); // impossible course dropped, fix kept
  });

  it('never sends a fix for a time it already recorded when the receiver time runs backwards', async () => {
    const { time, link, agent, online } = setup(createMemoryOutbox(), { posIntervalS: 1 });
    await online();
    const at = (s: number, lon: number) =>
      agent.input.fix({ t: T + s * 1000, lat: 42.4, lon }, { src: 'nmea' });
    at(0, 106.8);
    at(1, 106.801);
    at(2, 106.802);
    at(1, 106.9); // the receiver jumps back: the hub keeps 106.801 for T+1s
    at(0, 106.9);
    at(3, 106.803);
    expect(agent.stats().inputs).toMatchObject({ fixesRecorded: 4, fixesBackwards: 2 });
    time.advance(60_000);
    const fixes = link
      .messages()
      .filter((m) => m.topic.endsWith('/pos'))
      .flatMap((m) => m.msg.fixes as number[][]);
    expect(fixes.map((f) => [f[0], f[2]])).toEqual([
      [0, 106.8],
      [1000, 106.801],
      [2000, 106.802],
      [3000, 106.803],
    ]);
  });

  it('applies a config downlink at once and keeps it across a restart', async () => {
    const store = createMemoryOutbox();
    const a = setup(store);
    await a.online();
    a.link.deliver(`sl/v1/${DEV}/down/config`, { ...fixtures.config[0], hbIntervalS: 60, lang: 'mn' });
    expect(a.agent.settings.lang).toBe('mn');
    a.time.advance(60_000);
    expect(a.kinds().filter((k) => k === 'hb')).toHaveLength(3);
    await a.agent.close();
    const b = setup(store);
    expect(b.agent.settings).toMatchObject({ hbIntervalS: 60, lang: 'mn' });
  });

  it('reports the GPS clock offset in the heartbeat', async () => {
    const { link, agent, online } = setup();
    agent.input.gpsTime(T - 2_500, T);
    await online();
    expect(link.messages()[0]?.msg.clockOffsetMs).toBe(2_500);
    expect(link.messages()[0]?.msg.ts).toBe(T - 2_500);
  });

  it('closes everything it started and reports what is left', async () => {
    const { time, agent, online } = setup();
    await online();
    agent.input.reading({ type: 'water', t: T, pointId: 'wp-0007-1', levelPct: 42 });
    const report = await agent.close();
    expect(report).toEqual({ unsent: 0, staged: 1, evicted: 0 });
    expect(agent.state).toBe('closed');
    expect(time.pending).toBe(0);
  });
});
