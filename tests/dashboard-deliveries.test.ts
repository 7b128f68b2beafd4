/// <reference lib="dom" />
import { encodeOrThrow, workerAckTopic } from '@steppelink/protocols';
import type { MqttClient } from 'mqtt';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@steppelink/hub/testing';
import { type IncidentView, createStandardModules } from '@steppelink/hub';
import { screenshot } from './support/browser.ts';
import { dashboard } from './support/dashboard.ts';
import { type Box, connectBox, connectPhone } from './support/devices.ts';
import { apiAs, endClient, until } from './support/hub.ts';

/**
 * Issue #20, delivery truth on the duty officer's board: a real hub, real chromium, a real MQTT
 * set-top box and a grid worker's phone (mqtt.js, persistent session, QoS 1). The box presses
 * SOS; the phone's PUBACK makes 巴特尔's app page "delivered"; escalation (on a fake clock) pages
 * the grid leader 乌云, who has no phone connected and no dashboard open, so nothing reaches her
 * ("no listener"); the village secretary, paged next, acknowledges from his phone. The incident detail shows all of it per person, per channel, in zh, en and mn.
 */
const BOX = 'stb-150824-104-0007'; // 其其格's household, grid 150824-104-007-03 (saren's banner)
const MIN = 60_000;

const phone = connectPhone;

const cell = (detail: Locator, level: number, person: string, channel: string) =>
  detail.locator(`tbody[data-level="${level}"] tr[data-person="${person}"] td[data-channel="${channel}"]`);

describe('dashboard: who was paged and what truly reached them', () => {
  const clock = new FakeClock(Date.now());
  const modules = createStandardModules({ incidents: { jobs: false }, rulesTick: false, clock });
  let box: Box;
  const clients: MqttClient[] = [];
  const d = dashboard({
    hub: { modules: modules.list },
    people: { officer: { user: 'saren' } }, // 萨仁, banner duty officer of Urad Middle Banner
    after: async () => {
      await Promise.all(clients.splice(0).map((c) => endClient(c)));
      await box?.close();
    },
  });
  let page: Page;
  let incidentId = '';

  /** Escalation time moves on; steps due by then run and their deliveries settle. */
  const advance = async (ms: number) => {
    await modules.incidents.idle();
    await clock.advance(ms);
    await modules.incidents.idle();
  };

  beforeAll(async () => {
    page = d.page('officer');
    await page.locator('[data-conn=live]').waitFor();
    box = await connectBox(d.hub().mqttUrl, BOX);
  });

  it('shows the worker’s app page delivered and the unreachable grid leader as "no listener" (zh)', async () => {
    const bater = await phone(d.hub().mqttUrl, 'p-bater', 'bater');
    clients.push(bater.client);
    await box.sos({ category: 'medical', note: '老人胸口疼' });
    const first = await until(() => bater.alerts[0]);
    incidentId = first.incidentId;
    await page.locator(`tr[data-incident="${incidentId}"]`).click();
    const detail = page.locator('[data-testid=incident-detail]');
    const table = detail.locator('[data-testid=deliveries] table');
    await table.waitFor();
    // the phone acknowledged the page (PUBACK): delivered, with the grid worker's name
    await cell(detail, 0, 'p-bater', 'mqtt').locator('[data-status=delivered]').waitFor();
    expect(await detail.locator('tbody[data-level="0"] tr[data-person="p-bater"] th').textContent()).toBe(
      '巴特尔',
    );
    expect(await cell(detail, 0, 'p-bater', 'mqtt').textContent()).toContain('已送达');
    expect(await detail.locator('tbody[data-level="0"] th[scope=rowgroup]').textContent()).toBe(
      '第0级 · 网格员',
    );

    // 巴特尔 does not answer: reminders, then the grid leader, who has no phone and no board open
    await advance(3 * MIN);
    const wuyunApp = cell(detail, 1, 'p-wuyun', 'mqtt');
    await wuyunApp.locator('[data-status=no-listener]').waitFor();
    expect(await wuyunApp.textContent()).toContain('无人接收');
    expect(await cell(detail, 1, 'p-wuyun', 'stream').textContent()).toContain('无人接收');
    expect(await detail.locator('tr[data-person="p-wuyun"] th').textContent()).toBe('乌云');
    // Nobody at her level can be reached, so the hub climbs at once (timeline: unreachable),
    // without waiting out her 3-minute ack window.
    const api = await apiAs(d.hub().httpUrl, 'saren');
    const climbed = await until(async () => {
      const r = (
        await api<{ incident: IncidentView; timeline: { type: string; level: number | null }[] }>(
          `/api/incidents/${incidentId}`,
        )
      ).body;
      return r.incident.level >= 2 ? r : undefined;
    });
    expect(climbed.timeline.some((e) => e.type === 'unreachable' && e.level === 1)).toBe(true);
    await cell(detail, 2, 'p-erdun', 'mqtt').waitFor();
    // the household's box acknowledges each sos-ack (its latest may be queued a moment first:
    // the detail looks again while anything is in flight)
    const boxRow = detail.locator(`tr[data-device="${BOX}"]`);
    await boxRow.locator('[data-status=delivered]').waitFor();
    expect(await boxRow.textContent()).toContain('已送达');

    // the table is a real table: column and row headers with their scopes, named by its heading
    expect(await table.locator('thead th[scope=col]').allTextContents()).toEqual([
      '被通知人',
      '手机应用',
      '短信·语音',
      '看板',
      '响应',
    ]);
    const labelledBy = await table.getAttribute('aria-labelledby');
    expect(await page.locator(`[id="${labelledBy}"]`).textContent()).toBe('送达情况');
    await table.scrollIntoViewIfNeeded();
    await screenshot(page, 'deliveries-zh');
  });

  it('marks who acknowledged, from the phone, in the response column', async () => {
    const erdun = await phone(d.hub().mqttUrl, 'p-erdun', 'erdun');
    clients.push(erdun.client);
    await erdun.client.publishAsync(
      workerAckTopic('p-erdun'),
      encodeOrThrow('worker-ack', {
        v: 1,
        id: 'wack-dash-deliveries-1',
        ts: Date.now(),
        incidentId,
        note: '我开车过去',
      }),
      { qos: 1 },
    );
    const detail = page.locator('[data-testid=incident-detail]');
    await detail.locator('tr[data-person="p-erdun"] td[data-response=acknowledged]').waitFor();
    expect(await detail.locator('tr[data-person="p-erdun"] td[data-response]').textContent()).toBe('已确认');
    expect(await detail.locator('tr[data-person="p-erdun"] th').textContent()).toBe('额尔敦');
    expect(await detail.locator('tr[data-person="p-wuyun"] td[data-response]').textContent()).toBe('—');
  });

  it('says the same in English and in Mongolian script', async () => {
    const detail = page.locator('[data-testid=incident-detail]');
    await page.locator('.lang-switch button[data-lang=en]').click();
    await detail.locator('[data-testid=deliveries] h3', { hasText: 'Delivery' }).waitFor();
    expect(await cell(detail, 0, 'p-bater', 'mqtt').textContent()).toContain('Delivered');
    expect(await cell(detail, 1, 'p-wuyun', 'mqtt').textContent()).toContain('No listener');
    expect(await detail.locator('tr[data-person="p-erdun"] td[data-response]').textContent()).toBe(
      'Acknowledged',
    );
    await detail.locator('[data-testid=deliveries] table').scrollIntoViewIfNeeded();
    await screenshot(page, 'deliveries-en');

    await page.locator('.lang-switch button[data-lang=mn]').click();
    await detail.locator('[data-testid=deliveries] h3', { hasText: 'ᠬᠦᠷᠭᠡᠯᠲᠡ' }).waitFor();
    expect(await cell(detail, 0, 'p-bater', 'mqtt').textContent()).toContain('ᠬᠦᠷᠭᠡᠭᠳᠡᠭᠰᠡᠨ');
    expect(await cell(detail, 1, 'p-wuyun', 'mqtt').textContent()).toContain('ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠬᠤ ᠬᠦᠮᠦᠨ ᠦᠭᠡᠢ');
    // column heads and names alike stand top to bottom, as Mongolian is written (issue 23 defect 5)
    const modes = await page.evaluate(() => {
      const t = document.querySelector('[data-testid=deliveries] table')!;
      const mode = (sel: string) => getComputedStyle(t.querySelector(sel)!).writingMode;
      return { head: mode('thead th'), name: mode('tbody th[scope=row]') };
    });
    expect(modes).toEqual({ head: 'vertical-lr', name: 'vertical-lr' });
    await detail.locator('[data-testid=deliveries] table').scrollIntoViewIfNeeded();
    await screenshot(page, 'deliveries-mn');
    await page.locator('.lang-switch button[data-lang=zh]').click();
    expect(d.errors()).toEqual([]); // (the signed-out session probe's 401 is left out)
  });
});
