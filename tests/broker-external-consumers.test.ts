import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMALL_LEAGUE } from '@steppelink/hub/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  brokerHealth,
  type ExternalHubProcess,
  inboxIds,
  killHub,
  spawnExternalHub,
  stopHub,
  stream,
} from './support/external-hubs.ts';
import { until } from './support/hub.ts';
import { type MosquittoHandle, startMosquitto } from './support/mosquitto.ts';

// A hub in external broker mode consumes on several connections (STEPPELINK_BROKER_CONSUMERS),
// because mqtt.js hands one connection's QoS 1 messages on one at a time: the next only after
// the previous one's PUBACK, which the hub sends after its inbox commit. Counted at the hub
// (health: messages handed to ingest and not yet acknowledged), never timed.

describe('an external hub has as many messages in flight as it has consumer connections', () => {
  const root = mkdtempSync(join(tmpdir(), 'steppelink-consumers-'));
  const registry = join(root, 'league.json');
  writeFileSync(registry, JSON.stringify(SMALL_LEAGUE));
  let mosquitto: MosquittoHandle | undefined;
  const hubs: ExternalHubProcess[] = [];
  let four: ExternalHubProcess | undefined;
  // each hub its own share group: every message reaches both, so both see the same load
  const spawn = async (id: string, consumers: number) => {
    const h = await spawnExternalHub({
      STEPPELINK_DATA_DIR: join(root, id),
      STEPPELINK_REGISTRY: registry,
      STEPPELINK_BROKER_URL: mosquitto!.url,
      STEPPELINK_BROKER_USERNAME: 'steppelink-hub',
      STEPPELINK_BROKER_PASSWORD: 'anonymous-test-broker',
      STEPPELINK_BROKER_CLIENT_ID: id,
      STEPPELINK_BROKER_GROUP: id,
      STEPPELINK_BROKER_CONSUMERS: String(consumers),
    });
    hubs.push(h);
    return h;
  };
  const storedOnce = (id: string, acked: Set<string>) => {
    const m = inboxIds(join(root, id, 'state.db'));
    return [...acked].every((k) => m.get(k) === 1) ? m : undefined;
  };
  beforeAll(async () => {
    mosquitto = await startMosquitto();
  });
  afterAll(async () => {
    for (const h of hubs) await killHub(h);
    await mosquitto?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('one connection: one message at a time (mqtt.js); four: several at once, never more than four, each stored once', async () => {
    const [one, f] = await Promise.all([spawn('hub-one', 1), spawn('hub-four', 4)]);
    four = f;
    expect((await brokerHealth(f)).connections).toEqual(
      ['hub-four', 'hub-four:2', 'hub-four:3', 'hub-four:4'].map((clientId) => ({
        clientId,
        state: 'connected',
        connects: 1,
      })),
    );
    const s = stream(mosquitto!.url, 'load');
    await until(() => (s.count() >= 1_500 ? true : undefined));
    const acked = await s.stop();
    await until(() => storedOnce('hub-one', acked));
    await until(() => storedOnce('hub-four', acked));
    const h1 = await brokerHealth(one);
    const h4 = await brokerHealth(f);
    // the tripwire: if mqtt.js ever hands on a connection's messages concurrently, this fails
    // (and one connection would do; README "Scaling beyond one machine")
    expect(h1.peakInFlight).toBe(1);
    expect(h4.peakInFlight).toBeGreaterThan(1);
    expect(h4.peakInFlight).toBeLessThanOrEqual(4);
    expect(h4.inFlight).toBe(0);
    expect(h4.consumed).toBeGreaterThanOrEqual(acked.size);
  }, 300_000);

  it('restarted with fewer connections, the hub drains the sessions of the ids it no longer opens (the broker kept giving them their share)', async () => {
    expect((await stopHub(four!)).code).toBe(0);
    // while it is down, its four sessions keep queueing its group's messages
    const s = stream(mosquitto!.url, 'down');
    await until(() => (s.count() >= 400 ? true : undefined));
    const acked = await s.stop();
    const two = await spawn('hub-four', 2);
    await until(() => storedOnce('hub-four', acked));
    const h = await until(async () => {
      const b = await brokerHealth(two);
      return (b.adopted ?? []).every((r) => r.state !== 'draining') ? b : undefined;
    });
    expect(h.connections.map((c) => c.clientId)).toEqual(['hub-four', 'hub-four:2']);
    expect(h.adopted?.map((r) => [r.clientId, r.state])).toEqual([
      ['hub-four:3', 'released'],
      ['hub-four:4', 'released'],
    ]);
    expect(h.adopted?.every((r) => r.drained > 0)).toBe(true);
    expect((await stopHub(two)).code).toBe(0);
  }, 300_000);
});
