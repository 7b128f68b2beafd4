import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { DashboardSiteOptions, HubOptions } from '@steppelink/hub';
import {
  launchBrowser,
  newContext,
  signIn,
  startDashboardHub,
  type Viewport,
  watchErrors,
} from './browser.ts';
import type { TestHub } from './hub.ts';

/**
 * The one setup of a dashboard browser test: a real hub serving the built dashboard, Debian's
 * chromium, and a signed-in page per person (own cookies, wall screen or phone, a language if
 * asked), with every script and console error collected. Call it in a `describe`; it registers
 * the beforeAll that starts everything and the afterAll that closes it in reverse order.
 *
 *   const d = dashboard({ people: { wall: { user: 'saren' }, phone: { user: 'bater', viewport: PHONE } } });
 *   it('…', async () => { await d.page('wall').goto(d.url('#/map')); });
 */
export type Lang = 'zh' | 'mn' | 'en';

export interface Person {
  user: string;
  viewport?: Viewport;
  /** Switches the UI to this language after signing in (else the person's profile language). */
  lang?: Lang;
  geolocation?: { latitude: number; longitude: number; accuracy?: number };
  /** Leave signed out (a login page test). */
  signedOut?: boolean;
  /** Where this person's browser reaches the hub (a proxy the test can cut); the hub itself if not given. */
  via?: (hub: TestHub) => string;
}

export interface DashboardSetup<K extends string> {
  hub?: Partial<HubOptions>;
  /** What the hub serves beside the API (tiles, map centre); a function when it must be opened first. */
  site?: DashboardSiteOptions | (() => Promise<DashboardSiteOptions>);
  people: Record<K, Person>;
  /** Runs after the hub started and before anyone signs in (connect boxes, raise incidents…). */
  before?: (hub: TestHub) => Promise<void>;
  /** Runs first in afterAll (close MQTT clients the test opened). */
  after?: () => Promise<void>;
}

export interface Dashboard<K extends string> {
  hub(): TestHub;
  browser(): Browser;
  page(who: K): Page;
  /** The hub's address with a hash route: `url('#/map')`. */
  url(hash?: string): string;
  /** Script and console errors so far (401/404 answers the app handles are left out). */
  errors(): string[];
  setLang(who: K, lang: Lang): Promise<void>;
}

/** Selector of the `<html>` a language sets (traditional Mongolian is `mn-Mong`). */
const htmlLang = (lang: Lang) => `html[lang^=${lang}]`;

export function dashboard<K extends string>(setup: DashboardSetup<K>): Dashboard<K> {
  let hub: TestHub | undefined;
  let browser: Browser | undefined;
  const pages = new Map<K, Page>();
  const errors: string[] = [];
  const d: Dashboard<K> = {
    hub: () => hub!,
    browser: () => browser!,
    page: (who) => {
      const p = pages.get(who);
      if (!p) throw new Error(`no page for ${who}: name them in dashboard({ people })`);
      return p;
    },
    url: (hash = '') => `${hub!.httpUrl}/${hash}`,
    errors: () => errors.filter((e) => !/status of 40[14]/.test(e)),
    async setLang(who, lang) {
      const p = d.page(who);
      await p.locator(`.lang-switch button[data-lang=${lang}]`).first().click();
      await p.locator(htmlLang(lang)).waitFor();
    },
  };
  beforeAll(async () => {
    const site = typeof setup.site === 'function' ? await setup.site() : setup.site;
    hub = await startDashboardHub(setup.hub, site);
    await setup.before?.(hub);
    browser = await launchBrowser();
    for (const [who, person] of Object.entries(setup.people) as [K, Person][]) {
      const ctx = await newContext(browser, {
        ...(person.viewport ? { viewport: person.viewport } : {}),
        ...(person.geolocation ? { geolocation: person.geolocation } : {}),
      });
      const page = await ctx.newPage();
      watchErrors(page, errors);
      pages.set(who, page);
      if (person.signedOut) continue;
      await signIn(page, person.via?.(hub) ?? hub.httpUrl, person.user);
      if (person.lang) await d.setLang(who, person.lang);
    }
  }, 120_000);
  afterAll(async () => {
    await setup.after?.();
    await browser?.close();
    await hub?.close();
  });
  return d;
}
