import { describe, expect, it } from 'vitest';
import { ManualTime } from '../testing/manual-time.ts';
import type { ConnectionFactory, ConnectionHandlers } from './port.ts';
import { LinkSupervisor } from './supervisor.ts';

interface Attempt {
  url: string;
  handlers: ConnectionHandlers;
  subscribed: string[][];
  ended: boolean;
}

function setup(urls = ['mqtt://hub-bayannur:1883', 'mqtt://hub-urad-backup:1883']) {
  const time = new ManualTime();
  const attempts: Attempt[] = [];
  const connect: ConnectionFactory = (url, options, handlers) => {
    expect(options).toMatchObject({
      clientId: 'stb-150824-104-0007',
      username: 'stb-150824-104-0007',
      clean: false,
    });
    const a: Attempt = { url, handlers, subscribed: [], ended: false };
    attempts.push(a);
    return {
      publish: (_t, _p, done) => done(),
      subscribe: (topics, done) => {
        a.subscribed.push([...topics]);
        done();
      },
      end: async () => {
        a.ended = true;
      },
    };
  };
  const link = new LinkSupervisor({
    urls,
    deviceId: 'stb-150824-104-0007',
    secret: 's3cret',
    connect,
    timers: time,
    random: () => 1,
    subscriptions: ['sl/v1/stb-150824-104-0007/down/#', 'sl/v1/unit/150824/notice'],
    reconnectInitialMs: 1_000,
    reconnectMaxMs: 8_000,
    connectTimeoutMs: 5_000,
  });
  const states: string[] = [];
  link.on('state', (s) => states.push(s.state));
  return { time, attempts, link, states };
}

describe('LinkSupervisor', () => {
  it('fails over to the next URL at once and subscribes on CONNACK', () => {
    const { attempts, link } = setup();
    link.start();
    attempts[0]?.handlers.close('ECONNREFUSED');
    expect(attempts.map((a) => a.url)).toEqual(['mqtt://hub-bayannur:1883', 'mqtt://hub-urad-backup:1883']);
    attempts[1]?.handlers.connect(false);
    expect(link.state).toBe('online');
    expect(link.url).toBe('mqtt://hub-urad-backup:1883');
    expect(attempts[1]?.subscribed).toEqual([
      ['sl/v1/stb-150824-104-0007/down/#', 'sl/v1/unit/150824/notice'],
    ]);
    expect(attempts[0]?.ended).toBe(true);
  });

  it('backs off exponentially after each failed round, up to the cap, starting each round at the first URL', () => {
    const { time, attempts, link } = setup();
    link.start();
    const delays: number[] = [];
    for (let round = 0; round < 5; round++) {
      attempts.at(-1)?.handlers.close('ECONNREFUSED');
      attempts.at(-1)?.handlers.close('ECONNREFUSED');
      expect(link.state).toBe('backoff');
      const d = time.nextDelay() ?? -1;
      delays.push(d);
      time.advance(d);
      expect(attempts.at(-1)?.url).toBe('mqtt://hub-bayannur:1883');
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    attempts.at(-1)?.handlers.connect(true);
    attempts.at(-1)?.handlers.close('keepalive timeout');
    expect(time.nextDelay()).toBe(1_000); // reset by the CONNACK
  });

  it('gives up on an attempt without CONNACK after the connect timeout', () => {
    const { time, attempts, link } = setup();
    link.start();
    time.advance(5_000);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.ended).toBe(true);
  });

  it('reports offline once, ignores late callbacks of old sessions, and reconnects', () => {
    const { time, attempts, link } = setup();
    const events: string[] = [];
    link.on('online', (e) => events.push(`online ${e.url}`));
    link.on('offline', (e) => events.push(`offline ${e.reason}`));
    link.on('message', (m) => events.push(`message ${m.topic}`));
    link.start();
    const first = attempts[0];
    first?.handlers.connect(false);
    first?.handlers.message('sl/v1/unit/150824/notice', Buffer.from('{}'));
    first?.handlers.close('link cut');
    first?.handlers.close('link cut');
    first?.handlers.message('sl/v1/unit/150824/notice', Buffer.from('{}'));
    first?.handlers.connect(false);
    expect(link.state).toBe('backoff');
    time.advance(1_000);
    attempts[1]?.handlers.connect(true);
    expect(events).toEqual([
      'online mqtt://hub-bayannur:1883',
      'message sl/v1/unit/150824/notice',
      'offline link cut',
      'online mqtt://hub-bayannur:1883',
    ]);
  });

  it('publishes only while online and stops everything on close', async () => {
    const { time, attempts, link, states } = setup(['mqtt://hub-bayannur:1883']);
    link.start();
    expect(link.publish('t', Buffer.from('x'), () => {})).toBe(false);
    attempts[0]?.handlers.connect(false);
    expect(link.publish('t', Buffer.from('x'), () => {})).toBe(true);
    link.setSubscriptions(['sl/v1/unit/150824/notice', 'sl/v1/unit/150824-104/notice']);
    expect(attempts[0]?.subscribed.at(-1)).toEqual(['sl/v1/unit/150824-104/notice']);
    await link.close();
    expect(attempts[0]?.ended).toBe(true);
    expect(time.pending).toBe(0);
    expect(states.at(-1)).toBe('closed');
    attempts[0]?.handlers.close('closed');
    expect(link.state).toBe('closed');
  });

  it('refuses an empty URL list with a sentence saying what to set', () => {
    expect(
      () =>
        new LinkSupervisor({
          urls: [],
          deviceId: 'd',
          secret: 's',
          connect: () => {
            throw new Error('unused');
          },
          timers: new ManualTime(),
        }),
    ).toThrow(/hubUrls/);
  });
});
