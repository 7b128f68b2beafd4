import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOrThrow, fixtures, upTopic } from '@steppelink/protocols';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Accepted,
  type HubContext,
  type HubModule,
  type HubEventMap,
  createHub,
  silentLogger,
} from '@steppelink/hub';
import { deviceSecret, SMALL_LEAGUE } from '@steppelink/hub/testing';
import {
  apiAs,
  connect,
  deviceLogin,
  endClient,
  rawSession,
  type TestHub,
  startTestHub,
  until,
} from './support/hub.ts';

const BOX = 'stb-150824-104-0007';
const TRACKER = 'trk-patrol-150825-03';
const NEIGHBOUR = 'stb-150824-104-0008';

/** A module that records what the hub hands it; a raise with note 'boom' makes its sos handler throw. */
function recorder(name = 'recorder') {
  const seen: Accepted<'sos' | 'pos' | 'hb'>[] = [];
  const connected: string[] = [];
  const subscribed: [string, string[]][] = [];
  let ctx: HubContext | undefined;
  const module: HubModule = {
    name,
    start(c) {
      ctx = c;
    },
    handlers: {
      sos: async (m) => {
        if (m.msg.action === 'raise' && m.msg.note === 'boom') throw new Error('incident table is locked');
        seen.push(m);
      },
      pos: (m) => {
        seen.push(m);
      },
    },
    onDeviceConnected(id) {
      connected.push(id);
    },
    onDeviceSubscribed(id, topics) {
      subscribed.push([id, [...topics]]);
    },
    health: () => ({ state: 'up', seen: seen.length }),
    close() {},
  };
  return { module, seen, connected, subscribed, ctx: () => ctx };
}

describe('modules, presence and health', () => {
  let th: TestHub;
  const rec = recorder();
  const presence: HubEventMap['device.presence'][] = [];
  beforeAll(async () => {
    th = await startTestHub({ modules: [rec.module] });
    th.hub.events.on('device.presence', (e) => presence.push(e));
  });
  afterAll(() => th.close());

  it('hands accepted messages to module handlers in acceptance order, with their inbox seq', async () => {
    const trk = await connect(th.mqttUrl, deviceLogin(TRACKER));
    const box = await connect(th.mqttUrl, deviceLogin(BOX));
    // Two telemetry messages (an SOS would overtake the telemetry backlog: see processor.test.ts)
    const boxPos = { ...fixtures.pos[0]!, id: `${BOX}:pos:camp` };
    await trk.publishAsync(upTopic(TRACKER, 'pos'), encodeOrThrow('pos', fixtures.pos[0]!), { qos: 1 });
    await box.publishAsync(upTopic(BOX, 'pos'), encodeOrThrow('pos', boxPos), { qos: 1 });
    await until(() => (rec.seen.length >= 2 ? true : undefined));
    expect(rec.seen.map((m) => [m.kind, m.deviceId, m.msg.id])).toEqual([
      ['pos', TRACKER, fixtures.pos[0]!.id],
      ['pos', BOX, boxPos.id],
    ]);
    expect(rec.seen[1]!.seq).toBeGreaterThan(rec.seen[0]!.seq);
    expect(rec.ctx()?.publisher.isConnected(BOX)).toBe(true);
    await Promise.all([endClient(trk), endClient(box)]);
  });

  it('records a handler that throws as a handler_error dead letter and goes on', async () => {
    const box = await connect(th.mqttUrl, deviceLogin(BOX));
    const bad = { ...fixtures.sos[1]!, id: `${BOX}:sos:boom`, note: 'boom' };
    const good = { ...fixtures.sos[1]!, id: `${BOX}:sos:after` };
    await box.publishAsync(upTopic(BOX, 'sos'), encodeOrThrow('sos', bad), { qos: 1 });
    await box.publishAsync(upTopic(BOX, 'sos'), encodeOrThrow('sos', good), { qos: 1 });
    await until(() => rec.seen.find((m) => m.msg.id === good.id));
    const d = (await th.hub.ingest.deadLetters.list({ limit: 1, reason: 'handler_error' }))[0];
    expect(d).toMatchObject({ topic: upTopic(BOX, 'sos'), deviceId: BOX, reason: 'handler_error' });
    expect(d?.detail).toMatch(/recorder: incident table is locked/);
    expect(d?.excerpt).toContain(bad.id);
    await endClient(box);
  });

  it('tracks presence: online on connect (and tells modules), offline with the reason', async () => {
    presence.length = 0;
    const box = await connect(th.mqttUrl, deviceLogin(BOX));
    await until(() => rec.connected.filter((id) => id === BOX).length >= 3 || undefined);
    expect(th.hub.presence.get(BOX)).toMatchObject({ online: true, lastReason: 'connected' });
    await endClient(box);
    await until(() => (th.hub.presence.get(BOX)?.online === false ? true : undefined));
    expect(th.hub.presence.get(BOX)?.lastReason).toBe('disconnect');
    const lost = await connect(th.mqttUrl, deviceLogin(TRACKER));
    await until(() => th.hub.presence.get(TRACKER)?.online || undefined); // the hub marks it after its CONNACK is out
    (lost.stream as { destroy(): void }).destroy(); // the link drops without DISCONNECT
    await until(() => (th.hub.presence.get(TRACKER)?.online === false ? true : undefined));
    lost.end(true);
    expect(th.hub.presence.get(TRACKER)?.lastReason).toBe('connection_lost');
    expect(presence.map((e) => [e.deviceId, e.online, e.reason])).toEqual([
      [BOX, true, 'connected'],
      [BOX, false, 'disconnect'],
      [TRACKER, true, 'connected'],
      [TRACKER, false, 'connection_lost'],
    ]);
  });

  it('tells modules the subscriptions a device was granted, not those refused', async () => {
    const box = await connect(th.mqttUrl, deviceLogin(BOX));
    // SUBACK codes: mqtt.js reports a refusal (0x80) as an error carrying the packet
    const granted = await box
      .subscribeAsync(['sl/v1/unit/150825/notice', `sl/v1/${BOX}/down/#`], { qos: 1 })
      .then(
        (g) => g.map((x) => x.qos),
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
      );
    expect(granted).toEqual([128, 1]); // not its banner: refused
    await until(() => rec.subscribed.find(([id]) => id === BOX));
    expect(rec.subscribed.filter(([id]) => id === BOX)).toEqual([[BOX, [`sl/v1/${BOX}/down/#`]]]);
    await endClient(box);
  });

  it('marks a box that stops talking offline when its keepalive runs out (1.5 × keepalive)', async () => {
    const port = Number(new URL(th.mqttUrl).port);
    const { code, socket } = await rawSession(port, {
      clientId: NEIGHBOUR,
      clean: true,
      username: NEIGHBOUR,
      password: deviceSecret(NEIGHBOUR),
      keepaliveS: 1,
    });
    expect(code).toBe(0);
    await until(() => presence.find((e) => e.deviceId === NEIGHBOUR && !e.online));
    expect(th.hub.presence.get(NEIGHBOUR)?.lastReason).toBe('keepalive_timeout');
    socket.destroy();
  });

  it('a reconnect with the same client id takes the session over', async () => {
    const first = await connect(th.mqttUrl, deviceLogin(BOX, { clean: false }));
    first.on('error', () => {});
    const second = await connect(th.mqttUrl, deviceLogin(BOX, { clean: false }));
    await until(() => presence.find((e) => e.deviceId === BOX && e.reason === 'takeover'));
    await until(() => th.hub.presence.get(BOX)?.online || undefined);
    expect(presence.slice(-2).map((e) => [e.online, e.reason])).toEqual([
      [false, 'takeover'],
      [true, 'connected'],
    ]);
    first.end(true);
    await endClient(second);
  });

  it('reports broker, ingest, presence, telemetry and modules in /api/health', async () => {
    const get = await apiAs(th.httpUrl, 'liming');
    const { body } = await get<{
      components: Record<string, { state: string }>;
      queues: Record<string, number>;
    }>('/api/health');
    expect(Object.keys(body.components)).toEqual(
      expect.arrayContaining(['broker', 'ingest', 'presence', 'telemetry', 'module:recorder']),
    );
    expect(body.components.broker?.state).toBe('up');
    expect(body.queues).toMatchObject({ inboxCommit: 0, processor: 0, heldAcks: 0 });
  });

  it('shows presence through the devices API', async () => {
    const box = await connect(th.mqttUrl, deviceLogin(BOX));
    const get = await apiAs(th.httpUrl, 'saren'); // Urad Middle Banner duty officer
    const r = await get<{ items: { id: string; online: boolean }[] }>('/api/devices?limit=100');
    expect(r.body.items.find((d) => d.id === BOX)).toMatchObject({ online: true });
    await endClient(box);
  });
});

describe('replay after an unfinished shutdown', () => {
  it('hands a message whose processing did not finish to the modules again at the next start', async () => {
    let release: () => void = () => {};
    const stuck: HubModule = {
      name: 'stuck',
      start() {},
      handlers: { pos: () => new Promise<void>((r) => (release = r)) },
      close() {},
    };
    const first = await startTestHub({ modules: [stuck], ingest: { processor: { closeTimeoutMs: 50 } } });
    const trk = await connect(first.mqttUrl, deviceLogin(TRACKER));
    await trk.publishAsync(upTopic(TRACKER, 'pos'), encodeOrThrow('pos', fixtures.pos[0]!), { qos: 1 });
    await endClient(trk);
    await first.close({ keepData: true });
    release();
    const rec = recorder();
    const second = await startTestHub({ dataDir: first.dataDir, modules: [rec.module] });
    await until(() => rec.seen.find((m) => m.msg.id === fixtures.pos[0]!.id));
    expect(rec.seen).toHaveLength(1);
    await second.close();
  });
});

describe('createHub with a registry file', () => {
  it('imports it at start, and refuses to start with a file with bad rows, naming each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steppelink-regfile-'));
    const good = join(dir, 'league.json');
    writeFileSync(good, JSON.stringify(SMALL_LEAGUE));
    const th = await startTestHub({ registry: undefined, registryFile: good });
    expect(th.hub.registry.getDevice(TRACKER)?.enabled).toBe(true);
    await th.close();
    const broken = join(dir, 'broken.json');
    const devices = SMALL_LEAGUE.devices.map((d) => (d.id === BOX ? { ...d, household: 'hh-nowhere' } : d));
    writeFileSync(broken, JSON.stringify({ ...SMALL_LEAGUE, devices }));
    const refused = createHub({ dataDir: join(dir, 'b'), registryFile: broken, log: silentLogger() });
    await expect(refused.start()).rejects.toThrow(
      /broken\.json has 1 bad row\(s\), nothing was imported: .*hh-nowhere/,
    );
    expect(refused.state).toBe('failed');
    rmSync(dir, { recursive: true, force: true });
  });
});
