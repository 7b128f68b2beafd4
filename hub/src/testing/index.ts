// Test support for the hub's end-to-end tests and benches (`@steppelink/hub/testing`): the demo
// registry and its credentials, the API behind a test harness, and a fake clock. The rules'
// own helpers are `@steppelink/hub/rules/testing`.
export { type TestApi, testApi } from '../api/test-support.ts';
export { FakeClock } from '../incidents/testing.ts';
export { DEMO_PASSWORD, deviceSecret, SMALL_LEAGUE } from '../registry/fixture.ts';
