import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ensureDashboardBuilt } from '@steppelink/dashboard/build';
import {
  type ApiDeps,
  createApi,
  type DashboardSiteOptions,
  withDashboard,
  type HubOptions,
  createStandardModules,
  type StandardModules,
} from '@steppelink/hub';
import { DEMO_PASSWORD } from '@steppelink/hub/testing';
import { startTestHub, type TestHub } from './hub.ts';

/**
 * Browser tests of the dashboard: Debian's chromium driven by playwright-core against a real hub
 * that serves the built dashboard. One browser per test file (two cores are shared).
 */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.STEPPELINK_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--autoplay-policy=no-user-gesture-required', // the alarm siren may start without a click
    ],
  });
}

/**
 * The hub's feature modules as `npm start` wires them (incidents, rules with the demo zones,
 * broadcast), without cron jobs or the rules' periodic tick; `broadcast: false` leaves the
 * notice API out (a hub where the dashboard must hide the composer).
 */
export type HubFeatureModules = StandardModules;

export function hubModules(o: { broadcast?: boolean } = {}): HubFeatureModules {
  const m = createStandardModules({ incidents: { jobs: false }, rulesTick: false });
  return o.broadcast === false ? { ...m, list: m.list.filter((x) => x !== m.broadcast) } : m;
}

/** A real hub (port 0, small league, all modules unless given) serving the dashboard built from this checkout. */
export async function startDashboardHub(
  opts: Partial<HubOptions> = {},
  site: DashboardSiteOptions = {},
): Promise<TestHub> {
  await ensureDashboardBuilt();
  return startTestHub({
    modules: hubModules().list,
    ...opts,
    app: (deps: ApiDeps) => withDashboard(createApi(deps), site),
  });
}

export interface Viewport {
  width: number;
  height: number;
}
export const WALL_SCREEN: Viewport = { width: 1600, height: 900 };
export const PHONE: Viewport = { width: 390, height: 844 };

/** A fresh browser context (own cookies) in Beijing time, optionally phone-sized with a GPS fix. */
export async function newContext(
  browser: Browser,
  o: { viewport?: Viewport; geolocation?: { latitude: number; longitude: number; accuracy?: number } } = {},
): Promise<BrowserContext> {
  const phone = o.viewport === PHONE;
  return browser.newContext({
    viewport: o.viewport ?? WALL_SCREEN,
    timezoneId: 'Asia/Shanghai',
    locale: 'zh-CN',
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    ...(o.geolocation ? { geolocation: o.geolocation, permissions: ['geolocation'] } : {}),
  });
}

/** Opens the dashboard and signs in through its login form. */
export async function signIn(
  page: Page,
  baseUrl: string,
  username: string,
  password = DEMO_PASSWORD,
): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('form.login button[type=submit]').click();
  await page.locator('[data-testid=who]').waitFor();
}

/** Saves a screenshot under test-artifacts/ (git-ignored) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Collects script errors and console errors of `page` into `errors` (live), so a test can assert the app ran clean. */
export function watchErrors(page: Page, errors: string[] = []): string[] {
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
