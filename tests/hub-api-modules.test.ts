import { type AppType, createStandardModules } from '@steppelink/hub';
import { DEMO_PASSWORD } from '@steppelink/hub/testing';
import { hc } from 'hono/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.ts';

/**
 * The modules' routes (incidents, reports, duty statistics, notices, rules, check-ins) on a real
 * hub, driven by the typed client the dashboard uses: their paths, inputs and bodies come from
 * `AppType`, so this file does not compile when a module's route leaves it.
 */
describe('module routes through hc<AppType>', () => {
  let t: TestHub;
  const signIn = async (username: string) => {
    const login = await hc<AppType>(t.httpUrl).api.login.$post({
      json: { username, password: DEMO_PASSWORD, mode: 'cookie' },
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    return hc<AppType>(t.httpUrl, { headers: { cookie } });
  };

  beforeAll(async () => {
    const modules = createStandardModules({ incidents: { jobs: false }, rulesTick: false });
    t = await startTestHub({ modules: modules.list });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports, lists, shows and acknowledges an incident', async () => {
    const bater = await signIn('bater'); // grid worker of 150824-104-007-03
    const reported = await bater.api.reports.$post({
      json: { id: 'rpt-typed-1', category: 'hazard', note: 'ice on the well road' },
    });
    expect(reported.status).toBe(201);
    if (reported.status !== 201) return;
    const { incident } = await reported.json();
    expect(incident?.unit.id).toBe('150824-104-007-03');
    const id = incident!.id;

    const list = await bater.api.incidents.$get({ query: { state: 'active' } });
    expect(list.status).toBe(200);
    if (list.status === 200) expect((await list.json()).items.map((i) => i.id)).toContain(id);

    const detail = await bater.api.incidents[':id'].$get({ param: { id } });
    expect(detail.status).toBe(200);
    if (detail.status === 200) {
      const body = await detail.json();
      expect(body.incident.source).toBe('report');
      expect(body.deliveries.every((d) => typeof d.status === 'string')).toBe(true);
    }

    const ack = await bater.api.incidents[':id'].ack.$post({ param: { id }, json: { note: 'on my way' } });
    expect(ack.status).toBe(200);
    if (ack.status === 200) expect((await ack.json()).incident.state).toBe('acknowledged');
    const missing = await bater.api.incidents[':id'].ack.$post({ param: { id: 'inc-nope' }, json: {} });
    expect(missing.status).toBe(404);
  });

  it('answers statistics, notices, zones and check-ins', async () => {
    const saren = await signIn('saren');
    const stats = await saren.api.incidents.stats.$get({ query: {} });
    expect(stats.status).toBe(200);
    // the same route answers CSV with ?format=csv, so the client types its 200 body as unknown
    if (stats.status === 200) expect((await stats.json()) as object).toHaveProperty('rows');

    const notices = await saren.api.notices.$get({ query: { active: '1' } });
    expect(notices.status).toBe(200);
    if (notices.status === 200) expect(Array.isArray((await notices.json()).notices)).toBe(true);

    const zones = await saren.api.rules.zones.$get({ query: {} });
    expect(zones.status).toBe(200);
    if (zones.status === 200) expect((await zones.json()).features.length).toBeGreaterThan(0);

    const bater = await signIn('bater');
    const checkin = await bater.api.checkins.$post({
      json: { pos: { lat: 41.6, lon: 108.5 }, at: Date.now() },
    });
    expect(checkin.status).toBe(201);
    if (checkin.status === 201) expect((await checkin.json()).unitId).toBe('150824-104-007-03');
  });
});
