import { createAgent, createMemoryOutbox, type EdgeAgent, LocalServer } from '@steppelink/edge';
import { linkState } from '@steppelink/edge/testing';
import { createIncidentsModule } from '@steppelink/hub';
import { deviceSecret } from '@steppelink/hub/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.ts';
import { apiToken, type TestHub, startTestHub, until } from './support/hub.ts';

/**
 * Issue #24, a drill as the household sees it: a duty officer starts a drill for 其其格's
 * household through the real hub, her box (a real edge agent) gets the drill's sos-acks, and the
 * TV page in chromium says plainly that it is an exercise, in blue rather than the emergency's red.
 * If she presses SOS during the drill, that is a real emergency of its own: a new incident, and
 * the TV stops calling it a drill.
 */
const BOX = 'stb-150824-104-0007';
const HOUSEHOLD = 'hh-150824-104-0007';

describe('a drill on the household’s TV (real hub, edge agent, chromium)', () => {
  let th: TestHub;
  let agent: EdgeAgent;
  let server: LocalServer;
  let browser: Browser;
  let tv: Page;
  let officer: string;

  beforeAll(async () => {
    th = await startTestHub({ modules: [createIncidentsModule({ jobs: false })] });
    agent = createAgent({
      deviceId: BOX,
      secret: deviceSecret(BOX),
      hubUrls: [th.mqttUrl],
      units: ['150824-104-007-03'],
      store: createMemoryOutbox(),
      settings: { reconnectInitialMs: 100, reconnectMaxMs: 500, hbIntervalS: 3_600, lang: 'zh' },
    });
    await agent.start();
    await linkState(agent, 'online');
    server = new LocalServer({ agent, port: 0 });
    await server.start();
    browser = await launchBrowser();
    tv = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    officer = await apiToken(th.httpUrl, 'saren');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await agent?.close();
    await th?.close();
  });

  const incidents = async () => {
    const r = await fetch(`${th.httpUrl}/api/incidents?state=open`, {
      headers: { authorization: `Bearer ${officer}` },
    });
    return ((await r.json()) as { items: { id: string; drill?: boolean; details?: { drill?: boolean } }[] })
      .items;
  };

  it('marks the drill on the TV, and a press during it raises a real SOS the TV no longer calls a drill', async () => {
    const started = await fetch(`${th.httpUrl}/api/drills`, {
      method: 'POST',
      headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ household: HOUSEHOLD }),
    });
    expect(started.status).toBe(201);
    const drillId = ((await started.json()) as { incidentId: string }).incidentId;
    await until(() => (agent.sos.status().drill === true ? true : undefined));
    expect(agent.sos.status().incidentId).toBe(drillId);

    await tv.goto(`${server.url}/?lang=zh`);
    const sos = tv.locator('#sos.drill');
    await sos.waitFor();
    expect(await sos.locator('.drill-tag').textContent()).toBe(
      '演练：这不是真实求救 · DRILL: not a real emergency',
    );
    expect(await sos.textContent()).toContain('【演练】');
    // blue, not the emergency's red
    expect(await sos.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(29, 63, 110)');
    await screenshot(tv, 'tv-drill');

    // 其其格 presses SOS while the drill is on the screen: a real SOS, its own incident
    const pressed = agent.input.sosPress('http', 'medical');
    expect(pressed.ok).toBe(true);
    const realSos = agent.sos.status().raiseIds[0]!;
    expect(realSos.startsWith('drill-')).toBe(false);
    const real = await until(async () => (await incidents()).find((i) => i.id !== drillId));
    expect(real.id).not.toBe(drillId);
    await until(() => (agent.sos.status().incidentId === real.id ? true : undefined));
    await tv.locator('#sos.active:not(.drill)').waitFor();
    expect(await tv.locator('#sos .drill-tag').count()).toBe(0);
    expect(agent.sos.status().drill).toBeUndefined();
  });
});
