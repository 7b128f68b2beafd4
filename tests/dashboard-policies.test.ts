/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './support/a11y.ts';
import { screenshot } from './support/browser.ts';
import { dashboard } from './support/dashboard.ts';
import { apiToken } from './support/hub.ts';
import { mongolianLayout } from './support/mongolian-layout.ts';

/**
 * Issue #24, escalation policies in the dashboard (#/policies) against a real hub in chromium: an
 * administrator shortens a sumu's critical ack window, the page says where each unit's policy
 * comes from (the default, this unit's own, inherited from the sumu), a value the hub would refuse
 * is refused beside the field before anything is sent, the hub's own refusal is shown as it words
 * it, and the audit names who changed what from what to what; a banner duty officer reads it only,
 * a grid worker has no entry for it and cannot change it.
 */
const SUMU = '150824-104'; // 巴音乌兰苏木
const GACHA = '150824-104-007'; // 巴音哈太嘎查, in the sumu

describe('dashboard: escalation policies', () => {
  const d = dashboard({
    people: {
      admin: { user: 'liming' }, // league duty officer and administrator of the league
      officer: { user: 'saren' }, // banner duty officer: reads, may not change
      worker: { user: 'bater' }, // grid worker
    },
  });
  let admin: Page;
  beforeAll(() => {
    admin = d.page('admin');
  });

  const row = (page: Page, severity: string) =>
    page.locator(`[data-testid=effective-policies] tr[data-severity=${severity}]`);
  /** Opens the page afresh (from another page: the router keeps a page mounted while its hash stays). */
  const openFor = async (page: Page, unit: string) => {
    await page.goto(d.url('#/board'));
    await page.goto(d.url('#/policies'));
    await row(page, 'critical').waitFor();
    await page.locator('.policies select[name=unit]').selectOption(unit);
  };
  const origin = (page: Page, severity: string) =>
    row(page, severity).locator('[data-fact=origin]').getAttribute('data-origin');

  it('shortens a sumu’s critical ack window and shows where each unit’s policy comes from', async () => {
    await openFor(admin, SUMU);
    await admin
      .locator(`[data-testid=effective-policies] tr[data-severity=critical] [data-origin=default]`)
      .waitFor();
    expect(await row(admin, 'critical').locator('[data-fact=windows]').textContent()).toBe(
      '3、3、5、5、10分',
    );
    // the defaults are the README's table
    expect(
      await admin
        .locator('[data-testid=policy-defaults] tr[data-severity=medium] [data-fact=windows]')
        .textContent(),
    ).toBe('60分、2小时、4小时、8小时');

    await row(admin, 'critical').locator('button[data-action=edit-policy]').click();
    const form = admin.locator('form.policy-editor');
    await form.waitFor();
    expect(await form.locator('input[name="pol-ackTimeoutMs-0"]').inputValue()).toBe('3');
    await form.locator('input[name="pol-ackTimeoutMs-0"]').fill('1');
    await form.locator('button[data-action=save-policy]').click();
    await admin.locator('[data-testid=policy-status]').waitFor();
    await form.waitFor({ state: 'detached' });
    await row(admin, 'critical').locator('[data-origin=this]').waitFor();
    expect(await row(admin, 'critical').locator('[data-fact=windows]').textContent()).toBe(
      '1、3、5、5、10分',
    );
    expect(await row(admin, 'critical').locator('[data-fact=origin]').textContent()).toBe(
      '本单位自定（第1版）',
    );
    expect(await origin(admin, 'high')).toBe('default'); // the other severities keep the defaults
    await screenshot(admin, 'policies-sumu');

    // a gacha of the sumu inherits it; the banner above does not
    await admin.locator('.policies select[name=unit]').selectOption(GACHA);
    await row(admin, 'critical').locator('[data-origin=inherited]').waitFor();
    expect(await row(admin, 'critical').locator('[data-fact=origin]').textContent()).toBe(
      '沿用巴音乌兰苏木（第1版）',
    );
    await admin.locator('.policies select[name=unit]').selectOption('150824');
    await row(admin, 'critical').locator('[data-origin=default]').waitFor();
  });

  it('refuses a value the hub would refuse, beside the field, before sending anything', async () => {
    await openFor(admin, SUMU);
    await row(admin, 'critical').locator('[data-origin=this]').waitFor();
    const changes = await admin.locator('[data-testid=policy-audit] tbody tr').count();
    await row(admin, 'critical').locator('button[data-action=edit-policy]').click();
    const form = admin.locator('form.policy-editor');
    await form.locator('input[name="pol-ackTimeoutMs-0"]').fill('0.2'); // 12 s: a weak link could not answer
    await form.locator('input[name="pol-reminderEveryMs"]').fill('abc');
    await form.locator('button[data-action=save-policy]').click();
    const issues = form.locator('[data-testid=policy-issues]');
    await issues.waitFor();
    expect(await issues.getAttribute('role')).toBe('alert');
    const text = await issues.locator('li').allTextContents();
    expect(text).toEqual(['第0级 · 网格员确认时限不能少于30秒', '提醒间隔：请填写分钟数']);
    expect(await form.locator('input[name="pol-ackTimeoutMs-0"]').getAttribute('aria-invalid')).toBe('true');
    // the problem's link takes the keyboard to its field
    await issues.locator('button').first().click();
    expect(await admin.evaluate(() => document.activeElement?.id)).toBe('pol-ackTimeoutMs-0');
    await screenshot(admin, 'policies-invalid');
    expect(await axeViolations(admin)).toEqual([]);
    // nothing reached the hub: still the same policy, no new change recorded
    const eff = await admin.evaluate(async (unit) => {
      const r = await fetch(`/api/policies/effective?unit=${unit}&severity=critical`);
      return ((await r.json()) as { policies: { critical: { ackTimeoutMs: number[] } } }).policies.critical;
    }, SUMU);
    expect(eff.ackTimeoutMs[0]).toBe(60_000);
    expect(await admin.locator('[data-testid=policy-audit] tbody tr').count()).toBe(changes);
    await form.locator('button', { hasText: '取消' }).click();
  });

  it('lists the change in the audit: who, when, before → after', async () => {
    await openFor(admin, SUMU);
    const change = admin.locator(`[data-testid=policy-audit] tr[data-unit="${SUMU}"][data-action=set]`);
    await change.waitFor();
    expect(await change.locator('[data-fact=who]').textContent()).toBe('李明');
    // the sumu had no policy of its own before: every field was inherited
    expect(await change.locator('[data-fact=change] li').allTextContents()).toEqual([
      '各级确认时限: （沿用上级） → 1、3、5、5、10分',
      '提醒: （沿用上级） → 每1分',
      '到达最高级后: （沿用上级） → 每5分，共12次',
      '已确认未派遣时再次升级: （沿用上级） → 15分后',
    ]);
    expect(await change.locator('time').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('shows the hub’s refusal as it words it (an override another officer removed meanwhile)', async () => {
    await openFor(admin, SUMU);
    await row(admin, 'critical').locator('[data-origin=this]').waitFor();
    // someone else removes it through the API while this page still shows it
    const status = await admin.evaluate(async (unit) => {
      const r = await fetch(`/api/policies?unit=${unit}&severity=critical`, { method: 'DELETE' });
      return r.status;
    }, SUMU);
    expect(status).toBe(200);
    await row(admin, 'critical').locator('button[data-action=remove-policy]').click();
    await row(admin, 'critical').locator('button[data-action=confirm-remove]').click();
    const refused = admin.locator('[data-testid=policy-refused]');
    await refused.waitFor();
    expect(await refused.getAttribute('role')).toBe('alert');
    expect(await refused.textContent()).toBe(`平台拒绝：no critical policy is stored for ${SUMU}`);
    // and the page reads the policies again: the sumu follows the default, the removal is in the audit
    await row(admin, 'critical').locator('[data-origin=default]').waitFor();
    await screenshot(admin, 'policies-refused');
    await openFor(admin, SUMU);
    await admin.locator(`[data-testid=policy-audit] tr[data-unit="${SUMU}"][data-action=delete]`).waitFor();
  });

  it('removes a unit’s own policy from the page', async () => {
    await openFor(admin, SUMU);
    await row(admin, 'high').locator('button[data-action=edit-policy]').click();
    await admin.locator('form.policy-editor input[name=neverReescalate]').check();
    await admin.locator('form.policy-editor button[data-action=save-policy]').click();
    await row(admin, 'high').locator('[data-origin=this]').waitFor();
    expect(await row(admin, 'high').locator('[data-fact=reescalate]').textContent()).toBe('从不');
    await row(admin, 'high').locator('button[data-action=remove-policy]').click();
    await row(admin, 'high').locator('button[data-action=confirm-remove]').click();
    await row(admin, 'high').locator('[data-origin=default]').waitFor();
    expect(await admin.locator('[data-testid=policy-status]').textContent()).toContain('紧急');
  });

  it('lets a banner duty officer read the policies, not change them', async () => {
    const officer = d.page('officer');
    await officer.locator('nav.side a[data-page=policies]').click();
    await row(officer, 'critical').waitFor();
    await officer.locator('[data-testid=policies-read-only]').waitFor();
    expect(await officer.locator('button[data-action=edit-policy]').count()).toBe(0);
    expect(await officer.locator('form.policy-editor').count()).toBe(0);
  });

  it('gives a grid worker no entry, and nothing to change if they open it anyway', async () => {
    const worker = d.page('worker');
    await worker.locator('nav.side a[data-page=worker]').waitFor();
    expect(await worker.locator('nav.side a[data-page=policies]').count()).toBe(0);
    await worker.goto(d.url('#/policies'));
    await row(worker, 'critical').waitFor();
    await worker.locator('[data-testid=policies-read-only]').waitFor();
    expect(await worker.locator('button[data-action=edit-policy]').count()).toBe(0);
    // and the hub refuses it the change (asked outside the page, which never offers it)
    const token = await apiToken(d.hub().httpUrl, 'bater');
    const r = await fetch(`${d.hub().httpUrl}/api/policies`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        unit: '150824-104-007-03',
        severity: 'critical',
        policy: {
          ackTimeoutMs: [60_000],
          reminderEveryMs: 0,
          topReminderEveryMs: 600_000,
          topReminders: 1,
          dispatchTimeoutMs: null,
        },
      }),
    });
    const status = r.status;
    expect(status).toBe(403);
  });

  it.each(['zh', 'mn', 'en'] as const)(
    'has no critical or serious axe violations, editor open (%s)',
    async (lang) => {
      await openFor(admin, SUMU);
      await d.setLang('admin', lang);
      await row(admin, 'critical').locator('button[data-action=edit-policy]').click();
      await admin.locator('form.policy-editor').waitFor();
      expect(await axeViolations(admin)).toEqual([]);
      if (lang === 'mn') {
        const layout = await mongolianLayout(admin);
        await screenshot(admin, 'mn-policies-editor');
        expect({ sideways: layout.sideways, clipped: layout.clipped, covered: layout.covered }).toEqual({
          sideways: [],
          clipped: [],
          covered: [],
        });
      }
      await d.setLang('admin', 'zh');
    },
  );

  it('ran without script errors', () => {
    expect(d.errors()).toEqual([]);
  });
});
