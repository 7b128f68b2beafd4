/**
 * Makes README's screenshot, docs/board.png: the duty officer's board on the wall screen, against a
 * real hub with the test league, three households' SOS presses (a medical call with a note on
 * battery, a fire, a lost herd) and the first one's detail open — the facts, the place, the
 * delivery of each page and the timeline in the officer's language.
 *
 *   npm run ensure-built -w dashboard --silent && node --import tsx tests/support/readme-screenshot.ts
 */
import { fileURLToPath } from 'node:url';
import { launchBrowser, newContext, signIn, startDashboardHub } from './browser.ts';
import { connectBox, connectPhone } from './devices.ts';
import { until } from './hub.ts';

const OUT = fileURLToPath(new URL('../../docs/board.png', import.meta.url));

const hub = await startDashboardHub();
const browser = await launchBrowser();
try {
  const boxes = await Promise.all(
    ['stb-150824-104-0007', 'stb-150824-104-0008', 'stb-150824-104-0009'].map((id) =>
      connectBox(hub.mqttUrl, id),
    ),
  );
  const bater = await connectPhone(hub.mqttUrl, 'p-bater', 'bater'); // the grid worker on duty: his pages are delivered
  await boxes[1]!.sos({ category: 'fire', pos: { lat: 42.1388, lon: 108.4701, acc: 25 } });
  await boxes[2]!.sos({ category: 'livestock', note: '二十只羊走失，往北去了' });
  await boxes[0]!.sos({
    category: 'medical',
    pos: { lat: 42.1213, lon: 108.4382, acc: 12 },
    note: '老人胸口疼，喘不上气',
    power: { source: 'battery', battery: 40 },
  });
  await until(() => (bater.alerts.length >= 3 ? true : undefined));
  const page = await (await newContext(browser)).newPage();
  await signIn(page, hub.httpUrl, 'saren');
  await page.locator('tr[data-incident]').nth(2).waitFor();
  const first = await page.locator('tr[data-incident]', { hasText: '急病' }).getAttribute('data-incident');
  await page.goto(`${hub.httpUrl}/#/board/${first}`);
  await page.locator('[data-testid=incident-facts]').waitFor();
  await page.locator('[data-testid=incident-detail] .timeline li').first().waitFor();
  await page.waitForTimeout(500); // the detail's trail map settles
  await page.screenshot({ path: OUT });
  console.log(`wrote ${OUT}`);
  await bater.client.endAsync();
  for (const b of boxes) await b.close();
} finally {
  await browser.close();
  await hub.close();
}
