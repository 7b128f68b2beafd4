import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageInputOf } from '@steppelink/protocols';
import { downTopic, sosSchema, workerAlertTopic } from '@steppelink/protocols';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncidentsModule, type IncidentsModule } from '../incidents/module.ts';
import { type TestContext, testContext } from '../incidents/testing.ts';
import { retryDelay } from './deliverer.ts';
import { classify, type WebhookBody } from './webhook.ts';

/** A local SMS/voice gateway stand-in: answers each request with the next scripted status. */
class Gateway {
  readonly bodies: WebhookBody[] = [];
  /** While set, requests are held unanswered (a hung gateway) until `release()`. */
  hold = false;
  private held: (() => void)[] = [];
  private server: Server;
  constructor(
    private readonly script: { status: number; retryAfter?: number }[],
    private readonly otherwise = 200,
  ) {
    this.server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => {
        data += c;
      });
      req.on('end', () => {
        this.bodies.push(JSON.parse(data) as WebhookBody);
        const next = this.script.shift() ?? { status: this.otherwise };
        const headers: Record<string, string> = {};
        if (next.retryAfter !== undefined) headers['retry-after'] = String(next.retryAfter);
        const answer = () => res.writeHead(next.status, headers).end('{}');
        if (this.hold) this.held.push(answer);
        else answer();
      });
    });
  }
  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sms`;
  }
  release(): void {
    this.hold = false;
    for (const a of this.held.splice(0)) a();
  }
  close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('retry policy', () => {
  const o = { baseDelayMs: 2_000, maxDelayMs: 60_000 };
  it('doubles per attempt with equal jitter, capped, and never below Retry-After', () => {
    expect(retryDelay(1, o, () => 0)).toBe(1_000);
    expect(retryDelay(1, o, () => 1)).toBe(2_000);
    expect(retryDelay(3, o, () => 0)).toBe(4_000);
    expect(retryDelay(20, o, () => 1)).toBe(60_000);
    expect(retryDelay(1, o, () => 0, 30_000)).toBe(30_000);
  });
  it('retries only what can succeed later', () => {
    expect(classify(200, null)).toEqual({ status: 'delivered' });
    expect(classify(503, '7')).toMatchObject({ status: 'retry', retryAfterMs: 7_000 });
    expect(classify(429, null)).toMatchObject({ status: 'retry' });
    expect(classify(400, null)).toMatchObject({ status: 'failed' });
  });
});

describe('webhook channel against a local HTTP gateway', () => {
  let tc: TestContext;
  let mod: IncidentsModule;
  let gw: Gateway;
  const sos = (): Parameters<NonNullable<NonNullable<IncidentsModule['handlers']>['sos']>>[0] => ({
    seq: 1,
    deviceId: 'stb-150824-104-0007',
    kind: 'sos',
    msg: sosSchema.parse({
      v: 1,
      id: 'sos-wh-1',
      ts: tc.clock.now(),
      action: 'raise',
    } satisfies MessageInputOf<'sos'>),
    receivedAt: tc.clock.now(),
  });
  const start = async (
    script: { status: number; retryAfter?: number }[],
    otherwise = 200,
    maxAttempts = 8,
  ) => {
    gw = new Gateway(script, otherwise);
    const url = await gw.listen();
    mod = createIncidentsModule({
      jobs: false,
      webhook: { url, headers: { authorization: 'Bearer test-gateway-token' } },
      delivery: { baseDelayMs: 2_000, maxAttempts },
      random: () => 0,
    });
    await mod.start(tc.ctx);
  };
  /** The phone never acknowledges: after the fallback time the SMS/voice page goes out. */
  const phoneSilent = () => {
    tc.publisher.puback = false;
  };
  const overdue = async () => {
    await mod.idle();
    await tc.clock.advance(15_000);
    await mod.idle();
  };
  const row = () =>
    tc.db
      .prepare(
        `SELECT status, attempts, last_error AS lastError FROM deliveries WHERE channel = 'webhook' AND person = 'p-bater'`,
      )
      .get() as { status: string; attempts: number; lastError: string | null };

  beforeEach(() => {
    tc = testContext();
  });
  afterEach(async () => {
    await mod?.close();
    await gw?.close();
    tc.close();
  });

  it('retries a failing gateway with backoff until it takes the page, and records each attempt', async () => {
    await start([{ status: 503 }, { status: 503, retryAfter: 5 }]);
    phoneSilent();
    await mod.handlers!.sos!(sos());
    await mod.idle();
    expect(row()).toMatchObject({ status: 'held', attempts: 0 });
    expect(gw.bodies).toHaveLength(0);
    await overdue();
    expect(row()).toMatchObject({ status: 'retry', attempts: 1, lastError: 'gateway answered HTTP 503' });
    await tc.clock.advance(1_000); // first backoff: 2 s halved by the pinned jitter
    await mod.idle();
    expect(row()).toMatchObject({ status: 'retry', attempts: 2 });
    await tc.clock.advance(4_000); // Retry-After: 5 s is the floor
    await mod.idle();
    expect(row()).toMatchObject({ status: 'retry', attempts: 2 });
    await tc.clock.advance(1_000);
    await mod.idle();
    expect(row()).toMatchObject({ status: 'delivered', attempts: 3 });
    const mine = gw.bodies.filter((b) => b.personId === 'p-bater');
    expect(mine).toHaveLength(3);
    expect(new Set(mine.map((b) => b.idempotencyKey)).size).toBe(1);
    expect(mine[0]).toMatchObject({ kind: 'alert', to: '13904781234', lang: 'mn', voice: true, level: 0 });
    expect(mine[0]?.text).toContain('ᠠᠪᠤᠷᠠᠯ');
  });

  it('gives up after the bounded number of attempts and says why', async () => {
    await start([], 500, 3);
    phoneSilent();
    await mod.handlers!.sos!(sos());
    await overdue();
    for (let i = 0; i < 5; i++) {
      await tc.clock.advance(10_000);
      await mod.idle();
    }
    expect(row()).toMatchObject({ status: 'failed', attempts: 3 });
    expect(row().lastError).toMatch(/gave up after 3 attempts: gateway answered HTTP 500/);
  });

  it('does not let a hung gateway hold up the worker’s MQTT alert or the household’s sos-ack', async () => {
    await start([]);
    phoneSilent();
    gw.hold = true;
    await mod.handlers!.sos!(sos());
    await mod.idle();
    await tc.clock.advance(15_000); // the app page is overdue: the SMS goes to the (hung) gateway
    while (gw.bodies.length === 0) await new Promise((r) => setTimeout(r, 10)); // bounded by the test timeout
    expect(gw.bodies).toHaveLength(1); // the gateway has the request and sits on it...
    expect(tc.publisher.on(workerAlertTopic('p-bater'))).toHaveLength(1); // ...while the phone already has the alert
    expect(tc.publisher.on(downTopic('stb-150824-104-0007', 'sos-ack'))).toHaveLength(2);
    expect(row()).toMatchObject({ status: 'held', attempts: 0 }); // in flight: no outcome yet
    gw.release();
    await mod.idle();
    expect(row()).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('does not retry a request the gateway rejects', async () => {
    await start([{ status: 400 }]);
    phoneSilent();
    await mod.handlers!.sos!(sos());
    await overdue();
    expect(row()).toMatchObject({ status: 'failed', attempts: 1, lastError: 'gateway answered HTTP 400' });
  });

  it('sends no SMS when the phone acknowledged the app page in time', async () => {
    await start([]);
    await mod.handlers!.sos!(sos());
    await overdue();
    expect(row()).toMatchObject({ status: 'not-needed' });
    expect(gw.bodies.filter((b) => b.personId === 'p-bater')).toHaveLength(0);
    const app = tc.db
      .prepare(
        `SELECT status, delivered_at AS deliveredAt FROM deliveries WHERE channel = 'mqtt' AND person = 'p-bater'`,
      )
      .get() as { status: string; deliveredAt: number | null };
    expect(app.status).toBe('delivered');
    expect(app.deliveredAt).not.toBeNull();
  });

  it('a PUBACK that comes after the fallback time still marks the app page delivered; the SMS went out', async () => {
    await start([]);
    phoneSilent();
    await mod.handlers!.sos!(sos());
    await overdue();
    expect(row()).toMatchObject({ status: 'delivered', attempts: 1 });
    tc.publisher.ackAll();
    await mod.idle();
    const app = tc.db
      .prepare(`SELECT status FROM deliveries WHERE channel = 'mqtt' AND person = 'p-bater'`)
      .pluck()
      .get();
    expect(app).toBe('delivered');
  });
});
