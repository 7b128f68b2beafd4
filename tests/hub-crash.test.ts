import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOrThrow, upTopic } from '@steppelink/protocols';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { SMALL_LEAGUE } from '@steppelink/hub/testing';
import { apiAs, deviceLogin, type HubProcess, spawnHub, until } from './support/hub.ts';

const T = 1_764_028_800_000;
const DEVICES = ['trk-patrol-150825-03', 'stb-150824-104-0007', 'stb-150824-104-0008', 'stb-150825-201-0021'];
const ACKED_BEFORE_KILL = 600;

/** Fix n of a device: one per second along a line north-east of its start, each its own message. */
const fix = (deviceId: string, n: number) =>
  encodeOrThrow('pos', {
    v: 1,
    id: `${deviceId}:pos:${n}`,
    ts: T + n * 1_000 + 200,
    t0: T + n * 1_000,
    src: 'gpsd',
    fixes: [
      [0, Number((41.8 + n * 1e-5).toFixed(6)), Number((106.9 + n * 1e-5).toFixed(6)), 1320, 1, 4.2, 45],
    ],
  });

describe('SIGKILL during a QoS 1 stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steppelink-crash-'));
  const env = { STEPPELINK_DATA_DIR: join(dir, 'data'), STEPPELINK_REGISTRY: join(dir, 'league.json') };
  writeFileSync(env.STEPPELINK_REGISTRY, JSON.stringify(SMALL_LEAGUE));
  let hub: HubProcess | undefined;
  afterAll(async () => {
    if (hub && hub.child.exitCode === null) {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged message: every PUBACKed id is in the inbox and the store after restart', async () => {
    hub = await spawnHub(env);
    const acked = new Map<string, number[]>(DEVICES.map((d) => [d, []]));
    let total = 0;
    let killed = false;
    const clients = DEVICES.map((deviceId) => {
      const c = mqtt.connect(hub!.mqttUrl, deviceLogin(deviceId, { clean: false }));
      let n = 0;
      const pump = () => {
        // keep 20 QoS 1 messages in flight per device until the hub is killed
        while (!killed && n - (acked.get(deviceId)?.length ?? 0) < 20) {
          const i = ++n;
          c.publish(upTopic(deviceId, 'pos'), fix(deviceId, i), { qos: 1 }, (err) => {
            if (err || killed) return;
            acked.get(deviceId)?.push(i);
            total++;
            pump();
          });
        }
      };
      c.once('connect', pump);
      c.on('error', () => {});
      return c;
    });
    await until(() => (total >= ACKED_BEFORE_KILL ? true : undefined));
    hub.child.kill('SIGKILL');
    killed = true; // acks that arrive after this line are not counted: they may postdate the kill
    expect((await hub.exited).signal).toBe('SIGKILL');
    for (const c of clients) c.end(true);
    const snapshot = new Map([...acked].map(([d, ids]) => [d, [...ids]]));

    const db = new Database(join(env.STEPPELINK_DATA_DIR, 'state.db'), { readonly: true });
    const inInbox = db.prepare('SELECT count(*) FROM inbox WHERE sender = ? AND msg_id = ?').pluck();
    for (const [deviceId, ids] of snapshot) {
      const missing = ids.filter((i) => inInbox.get(deviceId, `${deviceId}:pos:${i}`) !== 1);
      expect(missing, deviceId).toEqual([]);
    }
    db.close();

    hub = await spawnHub(env);
    const get = await apiAs(hub.httpUrl, 'liming');
    for (const [deviceId, ids] of snapshot) {
      const max = Math.max(...ids);
      // replayed rows reach the store after the restart: poll (bounded by the test timeout)
      const points = await until(async () => {
        const r = await get<{ points: { t: number }[] }>(
          `/api/devices/${deviceId}/track?from=${T}&to=${T + (max + 1) * 1_000}&maxPoints=20000`,
        );
        const have = new Set(r.body.points.map((p) => (p.t - T) / 1_000));
        return ids.every((i) => have.has(i)) ? have : undefined;
      });
      expect(points.size).toBeGreaterThanOrEqual(ids.length);
    }
    hub.child.kill('SIGTERM');
    const stopped = await hub.exited;
    expect(stopped.code).toBe(0);
    expect(hub.output()).toMatch(/SteppeLink hub stopped/);
  });
});
