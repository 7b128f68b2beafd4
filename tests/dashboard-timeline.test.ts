/// <reference lib="dom" />
import type { MqttClient } from 'mqtt';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@steppelink/hub/testing';
import { createStandardModules } from '@steppelink/hub';
import { screenshot } from './support/browser.ts';
import { dashboard } from './support/dashboard.ts';
import { type Box, connectBox, connectPhone } from './support/devices.ts';
import { apiAs, endClient, until } from './support/hub.ts';

/**
 * Issue 23 defect 2: the incident timeline in the reader's language. 其其格's box presses SOS;
 * 巴特尔 (phone connected) does not answer in time, the grid leader 乌云 cannot be reached, the
 * village secretary is paged; 萨仁 acknowledges with a note. Her board words every step from its
 * type and data in Chinese, traditional Mongolian and English (the hub's log lines — "网格员 …",
 * "未在 3分钟 内确认", "sos medical (critical)" — never appear), each page once, her own note as typed.
 */
const BOX = 'stb-150824-104-0007';
const MIN = 60_000;
const MONGOLIAN = /[\u1800-\u18AF]/;
/** Words of the hub's own log lines (Chinese and English) that must not reach a reader. */
const HUB_LOG = /sos medical|\(critical\)|网格员 |未在|内确认|无法送达：|均已拒绝|nobody is on duty|presses:/;
const NAMES = /巴特尔|乌云|额尔敦|萨仁|其其格|王建国/g;

describe('dashboard: the timeline in the reader’s language', () => {
  const clock = new FakeClock(Date.now());
  const modules = createStandardModules({ incidents: { jobs: false }, rulesTick: false, clock });
  let box: Box;
  const clients: MqttClient[] = [];
  const d = dashboard({
    hub: { modules: modules.list },
    people: { officer: { user: 'saren' } },
    after: async () => {
      await Promise.all(clients.splice(0).map((c) => endClient(c)));
      await box?.close();
    },
  });
  let page: Page;
  let incidentId = '';

  const advance = async (ms: number) => {
    await modules.incidents.idle();
    await clock.advance(ms);
    await modules.incidents.idle();
  };
  const timeline = () => page.locator('[data-testid=incident-detail] .timeline');
  const whats = (tl: Locator) => tl.locator('li .tl-what').allTextContents();
  const setLang = (lang: 'zh' | 'mn' | 'en') => d.setLang('officer', lang);

  beforeAll(async () => {
    page = d.page('officer');
    const t = d.hub();
    await page.locator('[data-conn=live]').waitFor();
    box = await connectBox(t.mqttUrl, BOX);
    const bater = await connectPhone(t.mqttUrl, 'p-bater', 'bater');
    clients.push(bater.client);
    await box.sos({ category: 'medical', note: '老人胸口疼' });
    incidentId = (await until(() => bater.alerts[0])).incidentId;
    await advance(3 * MIN); // 巴特尔 did not acknowledge; 乌云 has nothing connected: the hub climbs on
    const api = await apiAs(t.httpUrl, 'saren');
    await until(async () => {
      const r = (await api<{ incident: { level: number } }>(`/api/incidents/${incidentId}`)).body;
      return r.incident.level >= 2 ? r : undefined;
    });
    await page.locator(`tr[data-incident="${incidentId}"]`).click();
    const detail = page.locator('[data-testid=incident-detail]');
    await detail.locator('textarea[name=note]').fill('马上出发，带上氧气袋');
    await detail.locator('button[data-action=ack]').click();
    await timeline().locator('li[data-type=acknowledged]').waitFor();
  });

  it('words each step in English from its data, each page once', async () => {
    await setLang('en');
    const tl = timeline();
    await tl.locator('li[data-type=open] .tl-what', { hasText: 'Opened: Medical · Critical' }).waitFor();
    const lines = await whats(tl);
    expect(lines.filter((l) => l.startsWith('Paged Grid worker: 巴特尔'))).toHaveLength(1);
    expect(lines.some((l) => l.startsWith('巴特尔: not acknowledged in time; escalated'))).toBe(true);
    expect(lines.some((l) => l.startsWith('Paged Grid leader: 乌云'))).toBe(true);
    expect(lines.some((l) => l.startsWith('Could not reach 乌云'))).toBe(true);
    expect(lines.filter((l) => /^Reminder \d to 巴特尔/.test(l)).length).toBeGreaterThan(0);
    expect(lines.some((l) => l.startsWith('乌云: could not be reached; escalated'))).toBe(true);
    // the move to "paged" recorded with the first page is not a second, nameless line
    expect(await tl.locator('li[data-type=notified]').count()).toBe(0);
    const all = (await tl.textContent()) ?? '';
    expect(all).not.toMatch(HUB_LOG);
    // apart from people's names and her own note, nothing Chinese is left in the English timeline
    expect(lines.join('\n').replace(NAMES, '')).not.toMatch(/[\u4E00-\u9FFF]/);
    expect(await tl.locator('li[data-type=acknowledged] .tl-note').textContent()).toBe(
      '马上出发，带上氧气袋',
    );
    await tl.scrollIntoViewIfNeeded();
    await screenshot(page, 'timeline-en');
  });

  it('in traditional Mongolian every line is in Mongolian script', async () => {
    await setLang('mn');
    const tl = timeline();
    await tl.locator('li[data-type=open] .tl-what', { hasText: MONGOLIAN }).waitFor();
    const lines = await whats(tl);
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(l, l).toMatch(MONGOLIAN);
    expect(lines.join('\n').replace(NAMES, '')).not.toMatch(/[\u4E00-\u9FFF]|Paged|escalated/);
    expect((await tl.textContent()) ?? '').not.toMatch(HUB_LOG);
    await screenshot(page, 'timeline-mn');
  });

  it('in Chinese, worded by the dashboard too', async () => {
    await setLang('zh');
    const tl = timeline();
    await tl.locator('li[data-type=open] .tl-what', { hasText: '警情产生：急病 · 特急' }).waitFor();
    const lines = await whats(tl);
    expect(lines.filter((l) => l.startsWith('已通知网格员：巴特尔'))).toHaveLength(1);
    expect(lines.some((l) => l.startsWith('巴特尔 未按时确认，已升级'))).toBe(true);
    expect(lines.some((l) => l.startsWith('乌云 无法送达，已升级'))).toBe(true);
    await screenshot(page, 'timeline-zh');
  });

  it('ran without script errors', () => {
    expect(d.errors()).toEqual([]);
  });
});
