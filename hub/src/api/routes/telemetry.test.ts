import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, signIn, type TestApi, testApi } from '../test-support.ts';

const MIN = 60_000;
const PATROL = 'trk-patrol-150825-03';
const SETTOP = 'stb-150824-104-0007';
const RELAY = 'col-150824-104-0007-a';

describe('telemetry reads', () => {
  let t: TestApi;
  let t0: number;
  const as: Record<string, Record<string, string>> = {};
  beforeAll(async () => {
    t = await testApi();
    t0 = t.clock.now() - 2 * 3600_000;
    for (const u of ['saren', 'zhangli', 'liming']) as[u] = (await signIn(t.app, u)).headers;
    // a patrol along the border, one fix a minute for two hours, and a household's set-top box
    await t.telemetry.write({
      positions: [
        ...Array.from({ length: 120 }, (_, i) => ({
          deviceId: PATROL,
          t: t0 + i * MIN,
          lat: 41.86 + i * 0.001,
          lon: 106.93 + i * 0.002,
          msgId: `p${i}`,
        })),
        { deviceId: SETTOP, t: t0, lat: 42.1213, lon: 108.4382, msgId: 's1' },
      ],
      health: [
        {
          deviceId: SETTOP,
          t: t0 + 5 * MIN,
          power: 'battery',
          battery: 41,
          outbox: 0,
          uptimeS: 3600,
          agent: 'sl-edge/0.1.0',
          msgId: 'h1',
        },
      ],
      grazing: [
        {
          deviceId: RELAY,
          t: t0 + MIN,
          type: 'water',
          sensorId: 'trough-2',
          values: { levelPct: 18 },
          msgId: 'g1',
        },
      ],
    });
    t.presence.set(SETTOP, true, t.clock.now() - MIN);
    t.presence.set('stb-150824-104-0008', false, t.clock.now() - 3 * 3600_000);
  });
  afterAll(() => t.close());

  it('lists devices with presence, last seen and the latest heartbeat; filters by online and kind', async () => {
    const all = await getJson(t.app, '/api/devices?unit=150824-104-007-03', as.saren);
    const stb = all.body.items.find((d: { id: string }) => d.id === SETTOP);
    expect(stb).toMatchObject({
      online: true,
      lastSeen: t.clock.now() - MIN,
      unit: '150824-104-007-03',
      health: { power: 'battery', battery: 41 },
    });
    const offline = all.body.items.find((d: { id: string }) => d.id === 'stb-150824-104-0008');
    expect(offline).toMatchObject({
      online: false,
      health: null,
      disconnectedAt: t.clock.now() - 3 * 3600_000,
    });
    const online = await getJson(t.app, '/api/devices?online=true', as.saren);
    expect(online.body.items.map((d: { id: string }) => d.id)).toEqual([SETTOP]);
    const relays = await getJson(t.app, '/api/devices?kind=collar-relay', as.liming);
    expect(relays.body.items.map((d: { id: string }) => d.id)).toEqual([RELAY]);
    const page = await getJson(t.app, '/api/devices?limit=2&offset=2', as.liming);
    expect(page.body).toMatchObject({ total: 9, limit: 2, offset: 2 });
    expect(page.body.items).toHaveLength(2);
  });

  it('shows one device with presence, latest heartbeat and position; 404 outside the caller’s units', async () => {
    const r = await getJson(t.app, `/api/devices/${SETTOP}`, as.saren);
    expect(r.body).toMatchObject({
      id: SETTOP,
      online: true,
      hasSecret: true,
      health: { battery: 41 },
      position: { t: t0, lat: 42.1213, lon: 108.4382 },
      units: ['150824-104-007-03', '150824-104-007', '150824-104', '150824', '150800'],
    });
    expect(r.text).not.toMatch(/scrypt|secretHash/);
    expect((await getJson(t.app, `/api/devices/${SETTOP}`, as.zhangli)).status).toBe(404);
  });

  it('rejects bad list queries with every issue', async () => {
    const r = await getJson(t.app, '/api/devices?kind=tractor&online=maybe&limit=0', as.saren);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_query');
    expect(r.body.error.issues.map((i: { path: string[] }) => i.path[0]).sort()).toEqual([
      'kind',
      'limit',
      'online',
    ]);
  });

  it('gives latest positions of the caller’s devices only', async () => {
    const saren = await getJson(t.app, '/api/positions/latest', as.saren);
    expect(saren.body.items.map((p: { deviceId: string }) => p.deviceId)).toEqual([SETTOP]);
    const zhangli = await getJson(t.app, '/api/positions/latest', as.zhangli);
    expect(zhangli.body.items).toEqual([
      {
        deviceId: PATROL,
        t: t0 + 119 * MIN,
        lat: expect.closeTo(41.979, 3),
        lon: expect.closeTo(107.168, 3),
      },
    ]);
  });

  it('answers a track query in ISO or epoch ms, downsampled to maxPoints', async () => {
    const from = new Date(t0).toISOString();
    const r = await getJson(
      t.app,
      `/api/devices/${PATROL}/track?from=${from}&to=${t0 + 59 * MIN}`,
      as.zhangli,
    );
    expect(r.status).toBe(200);
    expect(r.body.points).toHaveLength(60);
    expect(r.body.points[0]).toEqual({ deviceId: PATROL, t: t0, lat: 41.86, lon: 106.93 });
    const plus8 = new Date(t0 + 8 * 3600_000).toISOString().replace('Z', '+08:00');
    const thin = await getJson(t.app, `/api/devices/${PATROL}/track?from=${plus8}&maxPoints=10`, as.zhangli);
    expect(thin.body.to).toBe(t.clock.now()); // `to` defaults to now
    expect(thin.body.points.length).toBeLessThanOrEqual(10);
    expect(thin.body.points.length).toBeGreaterThan(5);
  });

  it('explains what is wrong with a track query', async () => {
    const base = `/api/devices/${PATROL}/track`;
    const cases: [string, string, RegExp][] = [
      ['', 'from', /Invalid input|expected string/],
      ['?from=yesterday', 'from', /epoch milliseconds or an ISO 8601 time with a zone/],
      ['?from=2025-11-25T08:00:00', 'from', /with a zone/],
      [`?from=${t0}&to=${t0 - 1}`, 'to', /must not be before from/],
      [`?from=${t0 - 40 * 24 * 3600_000}&to=${t0}`, 'from', /at most 31 days/],
      [`?from=${t0}&maxPoints=0`, 'maxPoints', /too small|>=1/],
      [`?from=${t0}&maxPoints=1e3`, 'maxPoints', /whole number/],
    ];
    for (const [q, field, message] of cases) {
      const r = await getJson(t.app, base + q, as.zhangli);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe('invalid_query');
      const issue = r.body.error.issues.find((i: { path: string[] }) => i.path[0] === field);
      expect(issue?.message, q).toMatch(message);
      expect(r.body.error.message, q).toContain(field);
    }
  });

  it('returns grazing readings of a collar relay', async () => {
    const r = await getJson(t.app, `/api/devices/${RELAY}/grazing?from=${t0}`, as.saren);
    expect(r.body.readings).toEqual([
      { deviceId: RELAY, t: t0 + MIN, type: 'water', sensorId: 'trough-2', values: { levelPct: 18 } },
    ]);
  });
});
