import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HubEventMap, HubEvents } from './events.ts';
import { silentLogger } from './log.ts';
import { Presence } from './presence.ts';
import { type Db, openDatabase } from './state/db.ts';
import { ManualClock } from './testing/manual-clock.ts';

const BOX = 'stb-150824-104-0007';
const TRACKER = 'trk-patrol-150825-03';

describe('Presence', () => {
  let db: Db;
  let clock: ManualClock;
  let events: HubEvents;
  let seen: HubEventMap['device.presence'][];
  const make = () => new Presence(db, events, clock, silentLogger(), { flushIntervalMs: 1_000 });
  const row = (id: string) =>
    db.prepare('SELECT * FROM presence WHERE device_id = ?').get(id) as Record<string, unknown> | undefined;
  beforeEach(() => {
    db = openDatabase(':memory:');
    clock = new ManualClock();
    events = new HubEvents();
    seen = [];
    events.on('device.presence', (e) => seen.push(e));
  });
  afterEach(() => db.close());

  it('emits changes at once and writes them in one batch per interval', async () => {
    const p = make();
    p.start();
    p.connected(BOX);
    await clock.advance(30_000);
    p.touch(BOX);
    expect(row(BOX)).toMatchObject({ online: 1, connected_at: clock.now() - 30_000 });
    expect(p.pendingWrites).toBe(1);
    await clock.advance(1_000);
    expect(row(BOX)?.last_seen).toBe(clock.now() - 1_000);
    p.disconnected(BOX, 'keepalive_timeout');
    expect(p.get(BOX)).toMatchObject({ online: false, lastReason: 'keepalive_timeout' });
    expect(seen.map((e) => [e.online, e.reason])).toEqual([
      [true, 'connected'],
      [false, 'keepalive_timeout'],
    ]);
    expect(p.onlineCount()).toBe(0);
    p.close();
  });

  it('ignores a disconnect of a device it never saw online, and touches of unknown devices', () => {
    const p = make();
    p.start();
    p.disconnected(TRACKER, 'connection_lost');
    p.touch(TRACKER);
    expect(p.get(TRACKER)).toBeUndefined();
    expect(seen).toEqual([]);
    p.close();
  });

  it('marks whoever was online offline when the hub restarts, and says so', () => {
    const first = make();
    first.start();
    first.connected(BOX);
    first.connected(TRACKER);
    first.flush(); // then the process dies: no close()
    seen = [];
    const second = make();
    second.start();
    expect(second.get(BOX)).toMatchObject({ online: false, lastReason: 'hub_restart' });
    expect(second.many([BOX, TRACKER, 'stb-150825-201-0021']).size).toBe(2);
    expect(seen.map((e) => [e.deviceId, e.online, e.reason])).toEqual([
      [BOX, false, 'hub_restart'],
      [TRACKER, false, 'hub_restart'],
    ]);
    expect(row(TRACKER)?.online).toBe(0);
    second.close();
  });
});
