import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceSecret, SMALL_LEAGUE } from '../../registry/fixture.ts';
import { getJson, signIn, type TestApi, testApi } from '../test-support.ts';

const ids = (items: { id: string }[]) => items.map((i) => i.id).sort();

describe('unit-scoped reads', () => {
  let t: TestApi;
  const as: Record<string, Record<string, string>> = {};
  beforeAll(async () => {
    t = await testApi();
    for (const u of ['saren', 'zhangli', 'liming', 'bater', 'aodeng'])
      as[u] = (await signIn(t.app, u)).headers;
  });
  afterAll(() => t.close());

  it('a banner officer sees the devices of their banner and not the other banner’s', async () => {
    const saren = await getJson(t.app, '/api/devices', as.saren);
    expect(saren.status).toBe(200);
    expect(ids(saren.body.items)).toEqual([
      'col-150824-104-0007-a',
      'stb-150824-104-0002',
      'stb-150824-104-0007',
      'stb-150824-104-0008',
      'stb-150824-104-0009',
      'stb-disabled-0001',
    ]);
    const zhangli = await getJson(t.app, '/api/devices', as.zhangli);
    expect(ids(zhangli.body.items)).toEqual([
      'stb-150825-201-0021',
      'stb-150825-201-0022',
      'trk-patrol-150825-03',
    ]);
  });

  it('the league officer sees every device; a grid worker only his grid', async () => {
    const liming = await getJson(t.app, '/api/devices', as.liming);
    expect(liming.body.total).toBe(SMALL_LEAGUE.devices.length);
    const bater = await getJson(t.app, '/api/devices', as.bater);
    expect(ids(bater.body.items)).toEqual([
      'col-150824-104-0007-a',
      'stb-150824-104-0007',
      'stb-150824-104-0008',
      'stb-150824-104-0009',
      'stb-disabled-0001',
    ]);
    const aodeng = await getJson(t.app, '/api/devices', as.aodeng); // two roles on one grid
    expect(ids(aodeng.body.items)).toEqual(['stb-150824-104-0002']);
  });

  it('a ?unit= filter outside the caller’s units is 403, an unknown unit too', async () => {
    for (const path of [
      '/api/devices?unit=150825',
      '/api/households?unit=150825',
      '/api/people?unit=150800',
      '/api/positions/latest?unit=150825',
      '/api/devices?unit=999999',
    ]) {
      const r = await getJson(t.app, path, as.saren);
      expect(r.status, path).toBe(403);
      expect(r.body.error.code).toBe('out_of_scope');
    }
    const inside = await getJson(t.app, '/api/devices?unit=150824-104-007-01', as.saren);
    expect(ids(inside.body.items)).toEqual(['stb-150824-104-0002']);
  });

  it('a single object outside the caller’s units is 404, as if it did not exist', async () => {
    for (const path of [
      '/api/units/150825',
      '/api/households/hh-150825-201-0021',
      `/api/devices/trk-patrol-150825-03/track?from=${t.clock.now() - 3600_000}`,
      `/api/devices/trk-patrol-150825-03/grazing?from=${t.clock.now() - 3600_000}`,
    ]) {
      const r = await getJson(t.app, path, as.saren);
      expect(r.status, path).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
    const absent = await getJson(t.app, '/api/households/hh-does-not-exist', as.saren);
    const hidden = await getJson(t.app, '/api/households/hh-150825-201-0021', as.saren);
    expect(absent.status).toBe(hidden.status);
    expect(absent.body.error.message.replace('hh-does-not-exist', 'X')).toBe(
      hidden.body.error.message.replace('hh-150825-201-0021', 'X'),
    );
  });

  it('lists units as trees rooted at the caller’s units', async () => {
    const saren = await getJson(t.app, '/api/units', as.saren);
    expect(saren.body.roots).toHaveLength(1);
    const banner = saren.body.roots[0];
    expect(banner).toMatchObject({ id: '150824', level: 'banner' });
    expect(banner.children[0].children[0].children.map((g: { id: string }) => g.id)).toEqual([
      '150824-104-007-01',
      '150824-104-007-03',
    ]);
    const liming = await getJson(t.app, '/api/units', as.liming);
    expect(liming.body.roots.map((r: { id: string }) => r.id)).toEqual(['150800']);
    const grid = await getJson(t.app, '/api/units/150824-104-007-03', as.bater);
    expect(grid.body.ancestors.map((a: { id: string }) => a.id)).toEqual([
      '150824-104-007',
      '150824-104',
      '150824',
      '150800',
    ]);
    expect((await getJson(t.app, '/api/units/150824-104-007-01', as.bater)).status).toBe(404);
  });

  it('shows a household with members, location and devices', async () => {
    const r = await getJson(t.app, '/api/households/hh-150824-104-0007', as.bater);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: '其其格',
      phone: '15247801234',
      lang: 'mn',
      location: { lat: 42.1213, lon: 108.4382 },
    });
    expect(r.body.members).toContainEqual({ name: '巴雅尔', note: '78岁，高血压' });
    expect(ids(r.body.devices)).toEqual(['col-150824-104-0007-a', 'stb-150824-104-0007']);
    expect(r.body.devices[0].hasSecret).toBe(true);
    const list = await getJson(t.app, '/api/households?unit=150824&limit=2', as.saren);
    expect(list.body).toMatchObject({ total: 4, limit: 2, offset: 0 });
    expect(list.body.items).toHaveLength(2);
  });

  it('lists the people of the caller’s units, with only the roles the caller can see', async () => {
    const r = await getJson(t.app, '/api/people?unit=150824-104-007-03', as.saren);
    expect(ids(r.body.items)).toEqual(['p-bater', 'p-wuyun']);
    const bater = await getJson(t.app, '/api/people', as.bater);
    expect(ids(bater.body.items)).toEqual(['p-bater', 'p-wuyun']);
    const zhangli = await getJson(t.app, '/api/people', as.zhangli);
    expect(ids(zhangli.body.items)).toEqual(['p-gang', 'p-menghe', 'p-zhangli']);
  });

  it('never puts a password hash or a device secret in any answer', async () => {
    const paths = [
      '/api/me',
      '/api/units',
      '/api/units/150800',
      '/api/households?unit=150800',
      '/api/households/hh-150824-104-0007',
      '/api/devices',
      '/api/people',
      '/api/positions/latest',
      '/api/dead-letters',
      '/api/tokens',
      '/api/health',
    ];
    for (const path of paths) {
      const r = await getJson(t.app, path, as.liming);
      expect(r.status, path).toBe(200);
      expect(r.text, path).not.toMatch(/scrypt\$|password|secretHash|sls_|steppe-demo/);
      for (const d of SMALL_LEAGUE.devices) expect(r.text, path).not.toContain(deviceSecret(d.id));
    }
  });

  it('answers unknown routes with JSON 404 once signed in', async () => {
    const r = await getJson(t.app, '/api/no-such-thing', as.bater);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });
});
