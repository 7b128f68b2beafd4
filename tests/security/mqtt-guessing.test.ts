import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, deviceSecret } from '@steppelink/hub/testing';
import { rawConnack, startTestHub, type TestHub } from '../support/hub.ts';
import { metricsText, postJson } from './support.ts';

/**
 * Issue #22, attack 2, over real MQTT sockets: people's passwords and device secrets guessed
 * through CONNECT. The attacker connects from 127.0.0.2 (another loopback address), the real
 * devices and phones from 127.0.0.1.
 */
const BOX = 'stb-150824-104-0007';
const NEIGHBOUR = 'stb-150824-104-0008';
const ATTACKER = '127.0.0.2';

describe('password guessing over MQTT (issue #22)', () => {
  let th: TestHub;
  let port: number;
  beforeAll(async () => {
    th = await startTestHub({ api: { auth: { trustProxy: true } } });
    port = Number(new URL(th.mqttUrl).port);
  });
  afterAll(() => th.close());

  it("2a: a person's password guessed over MQTT is throttled, and counts against HTTP sign-in too", async () => {
    const codes: number[] = [];
    for (let i = 0; i < 50; i++) {
      codes.push(
        await rawConnack(port, {
          clientId: 'guesser',
          clean: true,
          username: 'bater',
          password: `guess-${i}`,
          localAddress: ATTACKER,
        }),
      );
    }
    expect(codes.filter((c) => c === 4)).toHaveLength(5); // checked: bad username or password
    expect(codes.filter((c) => c === 3)).toHaveLength(45); // throttled: server unavailable, try later
    // the right password from the attacker's address is not even checked now
    expect(
      await rawConnack(port, {
        clientId: 'guesser',
        clean: true,
        username: 'bater',
        password: DEMO_PASSWORD,
        localAddress: ATTACKER,
      }),
    ).toBe(3);
    // and HTTP sign-in of that account from a new browser waits as well (one limiter)
    const http = await postJson(
      th.httpUrl,
      '/api/login',
      { username: 'bater', password: DEMO_PASSWORD },
      { from: '10.9.9.9' },
    );
    expect(http.status).toBe(429);
    const m = await metricsText(th.httpUrl);
    expect(m).toMatch(/steppelink_auth_refused_total\{via="mqtt",reason="bad_credentials"\} 5/);
    expect(m).toMatch(/steppelink_auth_refused_total\{via="mqtt",reason="throttled"\} 46/);
  });

  it('2b: device secrets likewise; the real device keeps connecting from its usual address', async () => {
    const creds = (password: string, localAddress?: string) => ({
      clientId: NEIGHBOUR,
      clean: true,
      username: NEIGHBOUR,
      password,
      ...(localAddress ? { localAddress } : {}),
    });
    expect(await rawConnack(port, creds(deviceSecret(NEIGHBOUR)))).toBe(0); // the box, once, from home
    const codes: number[] = [];
    for (let i = 0; i < 30; i++) codes.push(await rawConnack(port, creds(`guess-${i}`, ATTACKER)));
    expect(codes.filter((c) => c === 4)).toHaveLength(5);
    expect(codes.filter((c) => c === 3)).toHaveLength(25);
    expect(await rawConnack(port, creds(deviceSecret(NEIGHBOUR), ATTACKER))).toBe(3);
    expect(await rawConnack(port, creds(deviceSecret(NEIGHBOUR)))).toBe(0); // the box is not locked out
    // another box behind the same address as the attacker is not slowed by the account throttle
    expect(
      await rawConnack(port, {
        clientId: BOX,
        clean: true,
        username: BOX,
        password: deviceSecret(BOX),
        localAddress: ATTACKER,
      }),
    ).toBe(0);
  });

  it("2c: a worker's phone that connected before keeps connecting from a new address while its password is guessed", async () => {
    // 敖登's phone app connects with its per-install client id, once, from the carrier's address …
    const phone = (localAddress: string, password = DEMO_PASSWORD) => ({
      clientId: 'phone-p-aodeng-4f1c9e',
      clean: false,
      username: 'aodeng',
      password,
      localAddress,
    });
    expect(await rawConnack(port, phone('127.0.0.4'))).toBe(0);
    // … an attacker hammers her password from elsewhere, under client ids of its own …
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) {
      codes.push(
        await rawConnack(port, {
          clientId: `guesser-${i % 3}`,
          clean: true,
          username: 'aodeng',
          password: `guess-${i}`,
          localAddress: ATTACKER,
        }),
      );
    }
    expect(codes.filter((c) => c === 4)).toHaveLength(5);
    expect(codes.filter((c) => c === 3)).toHaveLength(35);
    // … and the right password from a client the account doesn't know waits, even from a new address
    const stranger = { ...phone('127.0.0.5'), clientId: 'laptop-aodeng', clean: true };
    expect(await rawConnack(port, stranger)).toBe(3);
    // the phone, now on another carrier address, still connects: known by its client id
    expect(await rawConnack(port, phone('127.0.0.6'))).toBe(0);
    // a wrong password from the phone's client id counts against its own bucket only
    expect(await rawConnack(port, phone('127.0.0.6', 'typo'))).toBe(4);
    expect(await rawConnack(port, phone('127.0.0.6'))).toBe(0);
  });

  it("3c: an attacker behind a township's address cannot keep its boxes off the hub", async () => {
    const township = '127.0.0.3';
    for (let u = 0; u < 8; u++) {
      for (let i = 0; i < 5; i++) {
        await rawConnack(port, {
          clientId: 'guesser',
          clean: true,
          username: `made-up-${u}`,
          password: `guess-${i}`,
          localAddress: township,
        });
      }
    }
    // the address is throttled for people who never connected from it …
    expect(
      await rawConnack(port, {
        clientId: 'p-wuyun:phone',
        clean: true,
        username: 'wuyun',
        password: DEMO_PASSWORD,
        localAddress: township,
      }),
    ).toBe(3);
    // … but a box never seen there before connects (its 256-bit secret can't be guessed anyway)
    const box = 'stb-150824-104-0009';
    expect(
      await rawConnack(port, {
        clientId: box,
        clean: true,
        username: box,
        password: deviceSecret(box),
        localAddress: township,
      }),
    ).toBe(0);
  });
});
