import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApi, withDashboard } from '@steppelink/hub';
import { startTestHub, type TestHub } from './support/hub.ts';

/** `npm start` serves the API behind the dashboard site: the API must still see who is calling. */
let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ app: (deps) => withDashboard(createApi(deps)) });
});
afterAll(() => t.close());

it('serves /metrics to a loopback client through the dashboard front', async () => {
  const res = await fetch(`${t.httpUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('# TYPE');
});
