import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceSecret } from '@steppelink/hub/testing';
import { rawSession, startTestHub, type TestHub, until } from '../support/hub.ts';

/**
 * Issue #22, attack 5: a connection that declares keepalive 0 and then goes silent is dropped
 * at the broker's idle limit (here 1 s, held as keepalive 1 s: dropped after 1.5 s of silence),
 * not held forever.
 */
const BOX = 'stb-150824-104-0007';

describe('keepalive 0 (issue #22)', () => {
  let th: TestHub;
  beforeAll(async () => {
    th = await startTestHub({ broker: { keepaliveZeroAsS: 1 } });
  });
  afterAll(() => th.close());

  it('5: a silent keepalive-0 device is disconnected, with the reason in its presence', async () => {
    const port = Number(new URL(th.mqttUrl).port);
    const { code, socket } = await rawSession(port, {
      clientId: BOX,
      clean: true,
      username: BOX,
      password: deviceSecret(BOX),
      keepaliveS: 0,
    });
    expect(code).toBe(0);
    await once(socket, 'close'); // before the fix: never (the test timed out)
    const p = await until(() => {
      const r = th.hub.presence.get(BOX);
      return r && !r.online ? r : undefined;
    });
    expect(p.lastReason).toBe('idle_limit');
  });
});
