import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@steppelink/hub/testing';
import { startTestHub, type TestHub } from '../support/hub.ts';

/**
 * Behind the reverse proxy the API trusts (trustProxy), MQTT over WebSocket is throttled per
 * client address as the proxy reports it, not per the proxy's own address: one attacker behind
 * the proxy must not slow every phone that comes through it.
 */
const wsConnack = (url: string, from: string, username: string, password: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const c = mqtt.connect(url, {
      clientId: `ws-${Math.random().toString(36).slice(2)}`,
      username,
      password,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      wsOptions: { headers: { 'x-forwarded-for': from } },
    });
    c.once('connect', () => {
      c.end(true);
      resolve(0);
    });
    c.once('error', (err) => {
      c.end(true);
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'number') resolve(code);
      else reject(err);
    });
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
