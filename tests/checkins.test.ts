import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckinsModule } from '@steppelink/hub';
import { DEMO_PASSWORD } from '@steppelink/hub/testing';
import { startTestHub, type TestHub } from './support/hub.ts';

describe('grid worker check-in (打卡)', () => {
  let t: TestHub;
  const tokens: Record<string, string> = {};
  const call = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.httpUrl}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    t = await startTestHub({ modules: [createCheckinsModule()] });
    for (const u of ['bater', 'zhangli', 'saren']) {
      const res = await fetch(`${t.httpUrl}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: u, password: DEMO_PASSWORD, mode: 'bearer' }),
      });
      tokens[u] = ((await res.json()) as { token: string }).token;
    }
  });
  afterAll(() => t.close());

  it('records a visit at the nearest household camp in the worker’s own grid', async () => {
    // 60 m from 其其格's camp (hh-150824-104-0007 at 42.1213, 108.4382)
    const r = await call('bater', 'POST', '/checkins', {
      pos: { lat: 42.1218, lon: 108.4385, acc: 8 },
      at: Date.now(),
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      personId: 'p-bater',
      unitId: '150824-104-007-03',
      household: { id: 'hh-150824-104-0007', name: '其其格' },
    });
    expect((r.body.household as { distanceM: number }).distanceM).toBeLessThan(100);
    const far = await call('bater', 'POST', '/checkins', { pos: { lat: 42.3, lon: 108.9 }, at: Date.now() });
    expect(far.body.household).toBeNull();
  });

  it('refuses other units, bad bodies and clocks a day off', async () => {
    expect(
      (
        await call('bater', 'POST', '/checkins', {
          pos: { lat: 42, lon: 108 },
          at: Date.now(),
          unit: '150824-104-007-01',
        })
      ).status,
    ).toBe(403);
    const bad = await call('bater', 'POST', '/checkins', { pos: { lat: 95, lon: 108 }, at: Date.now() });
    expect(bad.status).toBe(400);
    expect((bad.body.error as { message: string }).message).toContain('pos.lat');
    expect(
      (
        await call('bater', 'POST', '/checkins', {
          pos: { lat: 42, lon: 108 },
          at: Date.now() - 3 * 86_400_000,
        })
      ).status,
    ).toBe(422);
  });

  it('lists check-ins to officers above the grid and not to another banner', async () => {
    const mine = await call('saren', 'GET', '/checkins?unit=150824');
    expect((mine.body.checkins as { personName: string }[]).map((c) => c.personName)).toEqual([
      '巴特尔',
      '巴特尔',
    ]);
    expect((await call('zhangli', 'GET', '/checkins?unit=150824')).status).toBe(403);
  });
});
