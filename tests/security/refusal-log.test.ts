import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@steppelink/hub';
import { DEMO_PASSWORD, deviceSecret } from '@steppelink/hub/testing';
import { rawConnack, startTestHub, type TestHub, until } from '../support/hub.ts';
import { postJson } from './support.ts';

/**
 * Issue #22: refusals are logged (who, from where, why, which bucket) and never with the
 * password or secret that was tried, over HTTP and MQTT alike.
 */
describe('refusal logs (issue #22)', () => {
  let th: TestHub;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
        done();
      },
    });
    th = await startTestHub({ log: createLogger({ level: 'info', destination: sink }) });
  });
  afterAll(() => th.close());

  it('logs each refused sign-in and CONNECT without the guess, and a throttled bucket once', async () => {
    const guess = 'Steppe-Guess-4711';
    for (let i = 0; i < 7; i++)
      await postJson(th.httpUrl, '/api/login', { username: 'bater', password: `${guess}-${i}` });
    const port = Number(new URL(th.mqttUrl).port);
    const box = 'stb-150824-104-0008';
    await rawConnack(port, { clientId: box, clean: true, username: box, password: `${guess}-mqtt` });
    const refused = await until(() => {
      const r = lines.filter((l) => l.msg === 'sign-in refused');
      return r.length >= 6 ? r : undefined;
    });
    expect(refused.filter((l) => l.via === 'http')).toHaveLength(5);
    expect(refused.find((l) => l.via === 'mqtt')).toMatchObject({
      account: `device:${box}`,
      detail: 'wrong device secret',
    });
    const throttled = lines.filter((l) => l.msg === 'sign-in throttled: too many failed attempts');
    expect(throttled).toHaveLength(1); // two refused attempts, one line
    expect(throttled[0]).toMatchObject({ via: 'http', account: 'user:bater', bucket: 'account' });
    const all = JSON.stringify(lines);
    expect(all).not.toContain(guess);
    expect(all).not.toContain(DEMO_PASSWORD);
    expect(all).not.toContain(deviceSecret(box));
  });
});
