import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOrThrow, upTopic } from '@steppelink/protocols';
import { SMALL_LEAGUE } from '@steppelink/hub/testing';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ExternalHubProcess,
  inboxIds,
  killHub,
  spawnExternalHub,
  stopHub,
} from './support/external-hubs.ts';
import { apiAs, until } from './support/hub.ts';
import { type MosquittoHandle, startMosquitto } from './support/mosquitto.ts';

// Hubs in external broker mode behind Debian's mosquitto (2.0.11), each its own process with its
// own SQLite state (until the PostgreSQL state adapter is wired in, two hubs never share a store).

const T = 1_764_028_800_000;
const DEVICES = ['trk-patrol-150825-03', 'stb-150824-104-0007', 'stb-150824-104-0008', 'stb-150825-201-0021'];

const fix = (deviceId: string, tag: string, n: number) =>
  encodeOrThrow('pos', {
    v: 1,
    id: `${deviceId}:${tag}:${n}`,
    ts: T + n * 1_000 + 200,
    t0: T + n * 1_000,
    src: 'gpsd',
    fixes: [
      [0, Number((41.8 + n * 1e-5).toFixed(6)), Number((106.9 + n * 1e-5).toFixed(6)), 1320, 1, 4.2, 45],
    ],
  });

/** Devices streaming QoS 1 to the broker, 20 in flight each; `acked` holds every id the broker acknowledged. */
function stream(url: string, tag: string) {
  const acked = new Set<string>();
  let running = true;
  const clients: MqttClient[] = DEVICES.map((deviceId) => {
    const c = mqtt.connect(url, { clientId: deviceId, clean: false, reconnectPeriod: 200 });
    let n = 0;
    let inFlight = 0;
    const pump = () => {
      while (running && inFlight < 20) {
        const i = ++n;
        inFlight++;
        c.publish(upTopic(deviceId, 'pos'), fix(deviceId, tag, i), { qos: 1 }, (err) => {
          inFlight--;
          if (!err) acked.add(`${deviceId}|${deviceId}:${tag}:${i}`);
          pump();
        });
      }
    };
    c.once('connect', pump);
    c.on('error', () => {});
    return c;
  });
  return {
    acked,
    count: () => acked.size,
    async stop() {
      running = false;
      // the last in-flight publishes settle (acknowledged by the broker) before the snapshot
      await until(() =>
        clients.every((c) => !c.connected || Object.keys(c.outgoing).length === 0) ? true : undefined,
      );
      await Promise.all(clients.map((c) => new Promise<void>((r) => c.end(false, {}, () => r()))));
      return new Set(acked);
    },
  };
}

/** How often each message id is stored across the hubs' inboxes. */
function storedAcross(dirs: string[]): Map<string, number> {
  const total = new Map<string, number>();
  for (const d of dirs)
    for (const [k, n] of inboxIds(join(d, 'state.db'))) total.set(k, (total.get(k) ?? 0) + n);
  return total;
}

describe('hubs behind mosquitto: a crashed hub restarts under its own id, a dead one is adopted', () => {
  const root = mkdtempSync(join(tmpdir(), 'steppelink-external-'));
  const registry = join(root, 'league.json');
  writeFileSync(registry, JSON.stringify(SMALL_LEAGUE));
  let mosquitto: MosquittoHandle | undefined;
  const hubs: ExternalHubProcess[] = [];
  const spawn = async (id: string, extra: Record<string, string> = {}) => {
    const h = await spawnExternalHub({
      STEPPELINK_DATA_DIR: join(root, id),
      STEPPELINK_REGISTRY: registry,
      STEPPELINK_BROKER_URL: mosquitto!.url,
      STEPPELINK_BROKER_USERNAME: 'steppelink-hub',
      STEPPELINK_BROKER_PASSWORD: 'anonymous-test-broker',
      STEPPELINK_BROKER_CLIENT_ID: id,
      ...extra,
    });
    hubs.push(h);
    return h;
  };
  beforeAll(async () => {
    mosquitto = await startMosquitto();
  });
  afterAll(async () => {
    for (const h of hubs) await killHub(h);
    await mosquitto?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('SIGKILL mid-stream: the dead hub keeps its share queued, and after restarting under its id every acknowledged message is stored exactly once', async () => {
    // each scenario its own share group: hubs stopped at the end of one keep their sessions (and
    // their share) at the broker, as a restart needs, and must not take part in the next
    const group = { STEPPELINK_BROKER_GROUP: 'restart' };
    const [a1, b] = await Promise.all([spawn('hub-a', group), spawn('hub-b', group)]);
    const s = stream(mosquitto!.url, 'restart');
    await until(() => (s.count() >= 200 ? true : undefined));
    await killHub(a1);
    const ackedAtKill = s.count();
    await until(() => (s.count() >= ackedAtKill + 400 ? true : undefined));
    const acked = await s.stop();
    const dirs = [join(root, 'hub-a'), join(root, 'hub-b')];
    // B has taken what it was given; what went to A's session after the kill is nowhere yet
    await until(() => {
      const before = storedAcross(dirs).size;
      return new Promise<true | undefined>((r) =>
        setTimeout(() => r(storedAcross(dirs).size === before ? true : undefined), 500),
      );
    });
    const waiting = [...acked].filter((k) => !storedAcross(dirs).has(k));
    expect(waiting.length).toBeGreaterThan(50);

    const a2 = await spawn('hub-a', group);
    const stored = await until(() => {
      const m = storedAcross(dirs);
      return [...acked].every((k) => m.has(k)) ? m : undefined;
    });
    const twice = [...acked].filter((k) => stored.get(k) !== 1);
    expect(twice).toEqual([]);
    // nothing but the devices' messages (no stray ids, no dead letters from the restart)
    expect([...stored.keys()].filter((k) => !acked.has(k)).length).toBeLessThanOrEqual(DEVICES.length * 20);
    expect((await stopHub(a2)).code).toBe(0);
    expect((await stopHub(b)).code).toBe(0);
  }, 300_000); // three hub processes start and stop: minutes on a loaded 2-core machine

  it("killed for good: a sibling started with STEPPELINK_BROKER_ADOPT drains its session, then ends it (each acknowledged message stored, twice at most for the dead hub's in-flight window)", async () => {
    const group = { STEPPELINK_BROKER_GROUP: 'adopt' };
    const [c, d] = await Promise.all([spawn('hub-c', group), spawn('hub-d', group)]);
    const s = stream(mosquitto!.url, 'adopt');
    await until(() => (s.count() >= 200 ? true : undefined));
    await killHub(c);
    const ackedAtKill = s.count();
    await until(() => (s.count() >= ackedAtKill + 400 ? true : undefined));
    const acked = await s.stop();
    const dirs = [join(root, 'hub-c'), join(root, 'hub-d'), join(root, 'hub-e')];
    const before = storedAcross(dirs.slice(0, 2));
    expect([...acked].filter((k) => !before.has(k)).length).toBeGreaterThan(50);
    const e = await spawn('hub-e', { ...group, STEPPELINK_BROKER_ADOPT: 'hub-c' });
    const stored = await until(() => {
      const m = storedAcross(dirs);
      return [...acked].every((k) => m.has(k)) ? m : undefined;
    });
    // Each hub keeps its own store here, so dedupe by message id is per hub: a message hub-c had
    // committed but not yet acknowledged when it was killed is redelivered from its session to the
    // adopter and stored there too (seen in CI). Only that in-flight window may be stored twice, and
    // always with one copy in the dead hub's store; with the shared PostgreSQL store (planned) it is once.
    const killedStore = inboxIds(join(dirs[0]!, 'state.db'));
    const twice = [...acked].filter((k) => stored.get(k) !== 1);
    expect(twice.filter((k) => stored.get(k) !== 2 || !killedStore.has(k))).toEqual([]);
    expect(twice.length).toBeLessThanOrEqual(20); // mosquitto's default max_inflight_messages
    const get = await apiAs(e.httpUrl, 'liming');
    type Health = {
      components: {
        broker: { clientId: string; adopted?: { clientId: string; state: string; drained: number }[] };
      };
    };
    const adopted = await until(async () => {
      const h = await get<Health>('/api/health');
      const r = h.body.components.broker.adopted?.[0];
      return r && r.state !== 'draining' ? r : undefined;
    });
    expect(adopted).toMatchObject({ clientId: 'hub-c', state: 'released' });
    expect(adopted.drained).toBeGreaterThan(50);
    // the session is gone: the group is served by the live hubs only
    const probe = await mqtt.connectAsync(mosquitto!.url, {
      clientId: 'hub-c',
      protocolVersion: 5,
      clean: false,
      reconnectPeriod: 0,
      properties: { sessionExpiryInterval: 60 },
    });
    expect(
      (probe as unknown as { connackPacket?: { sessionPresent: boolean } }).connackPacket?.sessionPresent,
    ).toBe(false);
    await probe.endAsync(false, { properties: { sessionExpiryInterval: 0 } });
    // and new traffic is shared by D and E alone: it all arrives without anyone adopting again
    const more = stream(mosquitto!.url, 'after');
    await until(() => (more.count() >= 200 ? true : undefined));
    const ackedMore = await more.stop();
    await until(() => {
      const m = storedAcross(dirs);
      return [...ackedMore].every((k) => m.get(k) === 1) ? true : undefined;
    });
    expect((await stopHub(d)).code).toBe(0);
    expect((await stopHub(e)).code).toBe(0);
  }, 300_000);
});
