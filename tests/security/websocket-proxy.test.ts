import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@steppelink/hub/testing';
import { connackCode, startTestHub, type TestHub } from '../support/hub.ts';

/**
 * Behind the reverse proxy the API trusts (trustProxy), MQTT over WebSocket is throttled per
 * client address as the proxy reports it, not per the proxy's own address: one attacker behind
 * the proxy must not slow every phone that comes through it.
 */
const wsConnack = (url: string, from: string, username: string, password: string): Promise<number> =>
  connackCode(url, {
    clientId: `ws-${Math.random().toString(36).slice(2)}`,
    username,
    password,
    wsOptions: { headers: { 'x-forwarded-for': from } },
  });

describe('MQTT over WebSocket behind a reverse proxy (issue #22)', () => {
  let th: TestHub;
  beforeAll(async () => {
    th = await startTestHub({ api: { auth: { trustProxy: true } } });
  });
  afterAll(() => th.close());

  it('throttles the address the proxy names, not the proxy', async () => {
    for (let u = 0; u < 7; u++) {
      for (let i = 0; i < 5; i++) await wsConnack(th.wsUrl, '198.51.100.66', `made-up-${u}`, `guess-${i}`);
    }
    expect(await wsConnack(th.wsUrl, '198.51.100.66', 'wuyun', DEMO_PASSWORD)).toBe(3);
    expect(await wsConnack(th.wsUrl, '10.50.0.7', 'wuyun', DEMO_PASSWORD)).toBe(0);
  });
});
