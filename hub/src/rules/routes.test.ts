import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ApiEnv } from '../api/context.ts';
import { createRulesModule } from './module.ts';
import { accepted, demo, FakeClock, MIN, RecordingSink, T0, testContext, track } from './testing.ts';

type Json = Record<string, unknown> & { segments?: { unitId: string }[] };

/** The rules routes behind a stand-in auth middleware: `x-person` names a registry person. */
function api() {
  const clock = new FakeClock(T0);
  const sink = new RecordingSink();
  const rules = createRulesModule({ sink, clock, zones: demo(), tick: false });
  const ctx = testContext({ clock });
  rules.start(ctx);
  const app = new Hono<ApiEnv>();
  app.use('*', async (c, next) => {
    const person = ctx.registry.getPerson(c.req.header('x-person') ?? '');
    if (!person) return c.json({ error: 'unauthorized' }, 401);
    c.set('principal', {
      personId: person.id,
      name: person.name,
      lang: person.lang,
      roles: person.roles,
      via: 'token',
    });
    await next();
  });
  app.route('/', rules.routes);
  const call = async (person: string, method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { 'x-person': person, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (res.status === 204 ? null : await res.json()) as Json };
  };
  return { call, rules, clock, sink };
}

const square = (lon: number, lat: number, d: number) => [
  [
    [lon - d, lat - d],
    [lon + d, lat - d],
    [lon + d, lat + d],
    [lon - d, lat + d],
    [lon - d, lat - d],
  ],
];
const ban = (id: string, unitId: string, coordinates: unknown = square(108.49, 42.15, 0.01)) => ({
  type: 'Feature',
  properties: {
    id,
    kind: 'ban',
    ban: 'ban',
    unitId,
    name: { zh: '额尔德尼家草场禁牧', en: 'Erdeni pasture ban' },
    periods: [{ type: 'always' }],
  },
  geometry: { type: 'Polygon', coordinates },
});

describe('GET /rules/coverage', () => {
  it('lists the segments of the units the caller sees, with last patrolled times after a patrol', async () => {
    const { call, rules, clock } = api();
    const line = rules.engine.env.zones.borders[0]!;
    const fixes = line.segments.slice(5, 8).flatMap((s) => s.line.geometry.coordinates) as [number, number][];
    await rules.handlers!.pos!(
      accepted(
        'pos',
        'trk-patrol-150825-03',
        {
          v: 1,
          id: 'p',
          ts: T0,
          t0: T0,
          fixes: track(0, MIN, fixes).map((f) => [f.t, f.lat, f.lon, null, null, null, null]),
        },
        clock.now(),
      ),
    );
    const rear = await call('p-zhangli', 'GET', '/rules/coverage');
    expect(rear.status).toBe(200);
    expect(rear.json.total).toBe(190);
    expect(new Set(rear.json.segments!.map((s) => s.unitId))).toEqual(new Set(['150825-201']));
    const s6 = (
      rear.json.segments as unknown as {
        index: number;
        lastPatrolledAt: number | null;
        deviceId: string | null;
        overdue: boolean;
      }[]
    )[6]!;
    expect(s6).toMatchObject({ index: 6, deviceId: 'trk-patrol-150825-03', overdue: false });
    expect(s6.lastPatrolledAt).toBeGreaterThanOrEqual(T0);
    expect((await call('p-saren', 'GET', '/rules/coverage')).json.total).toBe(179);
    expect((await call('p-league', 'GET', '/rules/coverage?unit=150824')).json.total).toBe(179);
    expect((await call('p-bater', 'GET', '/rules/coverage')).json.total).toBe(0);
    const geo = await call('p-league', 'GET', '/rules/coverage?format=geojson');
    expect(geo.json.type).toBe('FeatureCollection');
    expect((geo.json.features as { geometry: { type: string } }[])[0]!.geometry.type).toBe('LineString');
  });
});

describe('zones through the API', () => {
  it('lets a township officer draw a ban for a gacha, which then applies, and refuses a grid worker', async () => {
    const { call, rules, clock, sink } = api();
    expect(
      (await call('p-bater', 'PUT', '/rules/zones/erdeni-ban', ban('erdeni-ban', '150824-104-007'))).status,
    ).toBe(403);
    const put = await call('p-wangjg', 'PUT', '/rules/zones/erdeni-ban', ban('erdeni-ban', '150824-104-007'));
    expect(put.status).toBe(201);
    const seen = await call('p-bater', 'GET', '/rules/zones?kind=ban');
    expect((seen.json.features as { properties: { id: string } }[]).map((f) => f.properties.id)).toContain(
      'erdeni-ban',
    );
    // A collar of household 0007 grazing in there for 15 min raises a grazing-ban alert.
    const fixes = track(
      T0,
      5 * MIN,
      Array.from({ length: 4 }, (): [number, number] => [108.49, 42.15]),
    );
    for (const f of fixes) {
      clock.set(f.t);
      rules.engine.positions('col-150824-104-0007-a', 'ewe-1', [f], f.t);
    }
    await rules.handlers!.pos!(
      accepted(
        'pos',
        'col-150824-104-0007-a',
        {
          v: 1,
          id: 'q',
          ts: clock.now(),
          subject: 'ewe-2',
          t0: T0,
          fixes: fixes.map((f) => [f.t - T0, f.lat, f.lon, null, null, null, null]),
        },
        clock.now(),
      ),
    );
    expect(sink.of('grazing-ban').map((a) => a.details?.zoneId)).toEqual(['erdeni-ban']);
    expect((await call('p-bater', 'DELETE', '/rules/zones/erdeni-ban')).status).toBe(403);
    expect((await call('p-wangjg', 'DELETE', '/rules/zones/erdeni-ban')).status).toBe(204);
    expect((await call('p-wangjg', 'GET', '/rules/zones/erdeni-ban')).status).toBe(404);
  });

  it('answers invalid zones with every issue and its path', async () => {
    const { call } = api();
    const open = square(108.49, 42.15, 0.01);
    open[0]!.pop();
    open[0]!.push([108.5, 42.2]);
    const bad = await call(
      'p-wangjg',
      'PUT',
      '/rules/zones/erdeni-ban',
      ban('erdeni-ban', '150824-104-007', open),
    );
    expect(bad.status).toBe(400);
    expect((bad.json.error as Json).code).toBe('invalid_zone');
    expect((bad.json.error as Json).issues).toEqual([
      {
        path: ['geometry', 'coordinates', '0'],
        code: 'invalid',
        message: 'a polygon ring must end where it starts (first and last positions equal)',
      },
    ]);
    const ghost = await call('p-league', 'PUT', '/rules/zones/x', ban('x', '150899'));
    expect((ghost.json.error as Json).issues).toEqual([
      { path: ['properties', 'unitId'], code: 'invalid', message: 'unit 150899 is not in the registry' },
    ]);
    const line = {
      ...ban('y', '150824'),
      geometry: {
        type: 'LineString',
        coordinates: [
          [108, 42],
          [108.1, 42.1],
        ],
      },
    };
    const wrong = await call('p-league', 'PUT', '/rules/zones/y', line);
    expect((wrong.json.error as Json).issues).toEqual([
      {
        path: ['geometry', 'type'],
        code: 'invalid',
        message: 'a ban zone needs a Polygon or MultiPolygon geometry, not LineString',
      },
    ]);
    expect((await call('p-league', 'PUT', '/rules/zones/z', ban('y', '150824'))).status).toBe(400);
  });

  it('imports a FeatureCollection; replacing everything needs the league admin', async () => {
    const { call } = api();
    const fc = {
      type: 'FeatureCollection',
      features: [ban('a-ban', '150824-104-007'), ban('b-ban', '150824-104-007')],
    };
    expect((await call('p-saren', 'POST', '/rules/zones/import?mode=replace', fc)).status).toBe(403);
    expect((await call('p-saren', 'POST', '/rules/zones/import', fc)).json).toEqual({
      imported: 2,
      mode: 'upsert',
    });
    expect((await call('p-league', 'GET', '/rules/zones')).json.features).toHaveLength(7);
    expect((await call('p-league', 'POST', '/rules/zones/import?mode=replace', fc)).status).toBe(200);
    expect((await call('p-league', 'GET', '/rules/zones')).json.features).toHaveLength(2);
  });
});

describe('rules config through the API', () => {
  it('is league-wide: only the top admin saves it; typos and contradictions are refused', async () => {
    const { call, rules } = api();
    expect((await call('p-wangjg', 'PUT', '/rules/config', { strayDebounceMs: 300_000 })).status).toBe(403);
    const typo = await call('p-league', 'PUT', '/rules/config', { strayDebounceMS: 300_000 });
    expect(typo.status).toBe(400);
    expect(((typo.json.error as Json).issues as { message: string }[])[0]!.message).toMatch(
      /strayDebounceMS/,
    );
    const inverted = await call('p-league', 'PUT', '/rules/config', { lowBatteryPct: 40 });
    expect((inverted.json.error as Json).issues).toEqual([
      {
        path: ['lowBatteryClearPct'],
        code: 'invalid',
        message: 'must be above lowBatteryPct (40) so a charging battery does not flap',
      },
    ]);
    const ok = await call('p-league', 'PUT', '/rules/config', {
      strayDebounceMs: 300_000,
      patrolGapMaxMsByUnit: { '150825': 86_400_000 },
    });
    expect(ok.status).toBe(200);
    expect(rules.engine.settings.strayDebounceMs).toBe(300_000);
    expect(rules.engine.patrolGapMaxMs('150825-201')).toBe(86_400_000);
    expect(rules.engine.patrolGapMaxMs('150824-104')).toBe(172_800_000);
    const got = await call('p-bater', 'GET', '/rules/config');
    expect(got.json.saved).toEqual({
      strayDebounceMs: 300_000,
      patrolGapMaxMsByUnit: { '150825': 86_400_000 },
    });
  });
});

describe('GET /rules/conditions', () => {
  it('shows open rule conditions to those who see their unit', async () => {
    const { call, rules, clock } = api();
    for (const f of track(
      T0,
      2 * MIN,
      Array.from({ length: 7 }, (): [number, number] => [108.45, 42.1]),
    )) {
      clock.set(f.t);
      rules.engine.positions('col-150824-104-0007-a', 'camel-1', [f], f.t);
    }
    const mine = await call('p-bater', 'GET', '/rules/conditions');
    expect(mine.json.conditions).toEqual([
      {
        key: 'stray:hh-150824-104-0007:camel-1',
        category: 'stray',
        unitId: '150824-104-007-03',
        active: true,
        raised: true,
        activeSince: T0 + 10 * MIN,
      },
    ]);
    expect((await call('p-zhangli', 'GET', '/rules/conditions')).json.conditions).toEqual([]);
  });
});
