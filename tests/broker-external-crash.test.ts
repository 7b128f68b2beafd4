import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMALL_LEAGUE } from '@steppelink/hub/testing';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  brokerHealth,
  DEVICES,
  type ExternalHubProcess,
  inboxIds,
  killHub,
  spawnExternalHub,
  stopHub,
  stream,
} from './support/external-hubs.ts';
import { until } from './support/hub.ts';
import { type MosquittoHandle, startMosquitto } from './support/mosquitto.ts';

// Hubs in external broker mode behind Debian's mosquitto (2.0.11), each its own process with its
// own SQLite state (until the PostgreSQL state adapter is wired in, two hubs never share a store).

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
      // three consumer connections each (ids <id>, <id>:2, <id>:3): restart and adoption cover them all
      STEPPELINK_BROKER_CONSUMERS: '3',
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
    await brokerHealth(a1); // signed in before the stream, so reading A's health below is quick
    const s = stream(mosquitto!.url, 'restart');
    await until(() => (s.count() >= 200 ? true : undefined));
    // several messages were in flight at A at once (each PUBACKed only after its commit), so the
    // kill below lands with more than one of them unacknowledged
    const a1Broker = await brokerHealth(a1);
    expect(a1Broker.connections.map((c) => c.clientId)).toEqual(['hub-a', 'hub-a:2', 'hub-a:3']);
    expect(a1Broker.peakInFlight).toBeGreaterThan(1);
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
    const storedNow = storedAcross(dirs);
    const waiting = [...acked].filter((k) => !storedNow.has(k));
    expect(waiting.length).toBeGreaterThan(50);

    const a2 = await spawn('hub-a', group);
    // every one of its sessions came back under its own id
    expect((await brokerHealth(a2)).connections).toEqual(
      ['hub-a', 'hub-a:2', 'hub-a:3'].map((clientId) => ({ clientId, state: 'connected', connects: 1 })),
    );
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

  it("killed for good: a sibling started with STEPPELINK_BROKER_ADOPT drains each of its consumer sessions, then ends them (each acknowledged message stored, twice at most for the dead hub's in-flight window)", async () => {
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
    const ids = ['hub-c', 'hub-c:2', 'hub-c:3'];
    const adopted = await until(async () => {
      const r = (await brokerHealth(e)).adopted ?? [];
      return r.length > 0 && r.every((x) => x.state !== 'draining') ? r : undefined;
    });
    // the sessions hub-c left (its further ids up to 16 were probed, found empty and left out)
    expect(adopted.map((r) => [r.clientId, r.state])).toEqual(ids.map((id) => [id, 'released']));
    expect(adopted.reduce((n, r) => n + r.drained, 0)).toBeGreaterThan(50);
    // the sessions are gone: the group is served by the live hubs only
    for (const clientId of ids) {
      const probe = await mqtt.connectAsync(mosquitto!.url, {
        clientId,
        protocolVersion: 5,
        clean: false,
        reconnectPeriod: 0,
        properties: { sessionExpiryInterval: 60 },
      });
      expect(
        (probe as unknown as { connackPacket?: { sessionPresent: boolean } }).connackPacket?.sessionPresent,
        clientId,
      ).toBe(false);
      await probe.endAsync(false, { properties: { sessionExpiryInterval: 0 } });
    }
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
