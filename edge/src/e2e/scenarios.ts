import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandFixes, fixtures, type PosBatch, upTopic } from '@steppelink/protocols';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGpsfake } from '../../../tests/support/gpsd.ts';
import { systemClock, systemTimers } from '../clock.ts';
import { GpsdInput } from '../inputs/gpsd.ts';
import { createMemoryOutbox } from '../outbox/memory.ts';
import type { NewEntry } from '../outbox/port.ts';
import { openSqliteOutbox } from '../outbox/sqlite.ts';
import { patrolNmeaLog } from '../testing/nmea-log.ts';
import {
  CliProcess,
  linkState,
  type ScenarioBroker,
  type ScenarioBrokerFactory,
  T0,
  tempDir,
  testAgent,
  type UpstreamObserver,
} from './harness.ts';

const E2E_TIMEOUT_MS = 120_000;

/**
 * The done-when cases, against any broker: Debian's mosquitto (./mosquitto.test.ts) and
 * the real hub (tests/edge-hub.test.ts, which observes the hub's inbox and telemetry store).
 */
export function runEdgeScenarios(name: string, startBroker: ScenarioBrokerFactory): void {
  describe(`edge end-to-end via ${name}`, () => {
    let broker: ScenarioBroker;
    let up: UpstreamObserver;
    const dir = tempDir('sl-e2e-');
    beforeAll(async () => {
      broker = await startBroker();
      up = await broker.observe();
    });
    afterAll(async () => {
      await up?.close();
      await broker?.close();
      dir.remove();
    });
    const provision = (deviceId: string, units: string[] = []) =>
      broker.provision({ deviceId, secret: `${deviceId}-secret`, units });
    const readingsOf = (deviceId: string) =>
      up
        .ofKind('grazing')
        .filter((c) => c.deviceId === deviceId)
        .flatMap((c) =>
          (c.msg.readings as { headCount: number }[]).map((r) => ({
            id: c.msg.id as string,
            n: r.headCount,
          })),
        );
    const gate = (i: number, gateId: string) => ({
      type: 'gate' as const,
      t: T0 + i * 1_000,
      gateId,
      headCount: i,
      direction: 'in' as const,
    });

    it(
      'link cut during a stream: everything arrives once the broker is back, each reading in one message',
      async () => {
        const dev = 'stb-150824-104-0011';
        await provision(dev);
        const store = openSqliteOutbox({ path: join(dir.path, 'cut.db'), sync: 'normal' });
        const agent = testAgent({
          deviceId: dev,
          url: broker.url,
          store,
          settings: { grazingBatchMaxReadings: 5, grazingBatchMaxAgeS: 1 },
        });
        const accepted = new Set<string>();
        agent.on('accepted', (e) => e.kind === 'grazing' && accepted.add(e.msgId));
        await agent.start();
        for (let i = 0; i < 100; i++) agent.input.reading(gate(i, 'gate-0011'));
        await up.waitFor(() => readingsOf(dev).length >= 20, 'the stream to flow');
        await broker.stop();
        await linkState(agent, 'backoff');
        for (let i = 100; i < 300; i++) agent.input.reading(gate(i, 'gate-0011'));
        await broker.restart();
        await up.waitFor(() => new Set(readingsOf(dev).map((r) => r.n)).size === 300, 'all 300 readings');
        const got = readingsOf(dev);
        expect(got).toHaveLength(300); // no reading in two different messages
        expect([...accepted].every((id) => got.some((r) => r.id === id))).toBe(true);
        await agent.close();
        store.close();
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'SIGKILL of the agent process mid-send loses nothing it had accepted',
      async () => {
        const dev = 'stb-150825-201-0003';
        await provision(dev);
        const config = CliProcess.writeConfig(dir.path, {
          deviceId: dev,
          secret: `${dev}-secret`,
          hubUrls: [broker.url],
          outbox: { path: join(dir.path, 'kill.db') }, // sync 'full', as on a device
          http: false,
          log: { level: 'debug' },
          hbIntervalS: 3_600,
          grazingBatch: { maxReadings: 10, maxAgeS: 600 },
          reconnect: { initialMs: 100, maxMs: 1_000 },
          inputs: [{ type: 'stdin' }],
        });
        const first = new CliProcess(config);
        await first.waitFor(
          () => first.log.some((l) => l.msg === 'link.online'),
          'the first agent to connect',
        );
        // 3 readings, then chunks of 10 in one write each: whenever the kill lands between chunks,
        // 3 readings are staged durably but not yet batched (maxAgeS is long), so work is pending.
        let i = 0;
        const line = () => `gate gate-0003 count=${i} dir=in t=${T0 + i++ * 1_000}`;
        first.write([line(), line(), line()].join('\n'));
        const writing = (async () => {
          while (first.child.exitCode === null && first.child.signalCode === null && i < 5_000) {
            first.write(Array.from({ length: 10 }, line).join('\n'));
            await new Promise((r) => setTimeout(r, 5));
          }
        })();
        await up.waitFor(() => readingsOf(dev).length >= 50, 'the first batches to arrive');
        await first.kill();
        await writing;
        const accepted = first.staged.map((item) => (JSON.parse(item) as { headCount: number }).headCount);
        const deliveredAtKill = new Set(readingsOf(dev).map((r) => r.n)).size;
        expect(accepted.length).toBeGreaterThan(deliveredAtKill); // killed with work still pending

        const second = new CliProcess(config);
        const want = new Set(accepted);
        await up.waitFor(() => {
          const have = new Set(readingsOf(dev).map((r) => r.n));
          return [...want].every((n) => have.has(n));
        }, `all ${want.size} accepted readings after the restart`);
        expect(await second.stop()).toBe(0);
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'an SOS overtakes a backlog of 100k queued positions',
      async () => {
        const dev = 'trk-patrol-150825-03';
        await provision(dev);
        const store = openSqliteOutbox({ path: join(dir.path, 'backlog.db'), sync: 'normal' });
        const topic = upTopic(dev, 'pos');
        for (let chunk = 0; chunk < 10; chunk++) {
          const entries: NewEntry[] = [];
          for (let j = 0; j < 10_000; j++) {
            const n = chunk * 10_000 + j;
            const lon = (106.8 + n * 0.000004).toFixed(6);
            const payload = `{"v":1,"id":"bk-${n}","ts":${T0 + n},"t0":${T0 + n},"src":"gpsd","fixes":[[0,42.4,${lon},null,null,null,null]]}`;
            entries.push({
              kind: 'pos',
              topic,
              msgId: `bk-${n}`,
              payload: Buffer.from(payload),
              createdMs: T0 + n,
            });
          }
          store.putMany(entries);
        }
        const agent = testAgent({ deviceId: dev, url: broker.url, store, settings: { maxInflight: 32 } });
        await agent.start();
        const posOf = () => up.ofKind('pos').filter((c) => c.deviceId === dev);
        await up.waitFor(() => posOf().length > 0, 'the backlog to start draining');
        const sentAtPress = agent.stats().sent;
        expect(agent.input.sosPress('tracker-key', 'injury').ok).toBe(true);
        await up.waitFor(() => up.ofKind('sos').some((c) => c.deviceId === dev), 'the SOS');
        const sos = up.ofKind('sos').find((c) => c.deviceId === dev);
        const ahead = posOf().filter((c) => c.order < (sos?.order ?? 0)).length;
        // Only what was already published when the key was pressed is ahead of the SOS.
        expect(ahead).toBeLessThanOrEqual(sentAtPress);
        expect(ahead).toBeLessThan(10_000);
        expect(sos?.msg).toMatchObject({ action: 'raise', category: 'injury' });
        await agent.close();
        expect(store.stats().count).toBeGreaterThan(50_000); // the rest of the backlog is still queued
        store.close();
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'a full outbox evicts the oldest telemetry, counts it, and keeps the SOS',
      async () => {
        const dev = 'stb-150824-104-0021';
        await provision(dev);
        await broker.stop();
        const store = openSqliteOutbox({
          path: join(dir.path, 'evict.db'),
          sync: 'normal',
          maxMessages: 200,
        });
        const agent = testAgent({
          deviceId: dev,
          url: broker.url,
          store,
          settings: { grazingBatchMaxReadings: 1 },
        });
        let evictedEvents = 0;
        agent.on('evicted', (e) => {
          evictedEvents += e.count;
        });
        await agent.start();
        expect(agent.input.sosPress('http', 'livestock').ok).toBe(true);
        for (let i = 0; i < 1_000; i++) agent.input.reading(gate(i, 'gate-0021'));
        const st = store.stats();
        expect(st.byPriority.sos).toBe(1);
        expect(st.count).toBe(200);
        expect(st.evicted).toBe(802); // 1000 readings + hb + SOS, 200 kept
        expect(evictedEvents).toBe(802);
        await broker.restart();
        await up.waitFor(
          () => up.ofKind('sos').some((c) => c.deviceId === dev) && readingsOf(dev).some((r) => r.n === 999),
          'the SOS and the newest reading',
        );
        await agent.close();
        const got = readingsOf(dev).map((r) => r.n);
        expect(Math.min(...got)).toBeGreaterThanOrEqual(802); // the oldest went first
        store.close();
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'a gpsd/gpsfake replay of a border patrol arrives as position batches with those fixes',
      async () => {
        const dev = 'trk-patrol-150825-05';
        await provision(dev);
        const log = patrolNmeaLog({
          startMs: Date.UTC(2025, 10, 25, 2, 0, 0),
          fixes: 150,
          from: { lat: 42.4, lon: 106.8 },
          to: { lat: 42.4, lon: 107.2 },
        });
        const path = join(dir.path, 'patrol-0325.nmea');
        writeFileSync(path, log.text);
        const gps = await startGpsfake({ log: path, cycleS: 0.02 });
        const agent = testAgent({
          deviceId: dev,
          url: broker.url,
          store: createMemoryOutbox(),
          inputs: [
            new GpsdInput({ host: gps.host, port: gps.port, clock: systemClock, timers: systemTimers }),
          ],
          settings: { posIntervalS: 1, posBatchMaxFixes: 10, posBatchMaxAgeS: 2 },
        });
        try {
          await agent.start();
          const fixesOf = () =>
            up
              .ofKind('pos')
              .filter((c) => c.deviceId === dev)
              .flatMap((c) => expandFixes(c.msg as unknown as PosBatch));
          await up.waitFor(() => fixesOf().length >= 40, '40 replayed fixes');
          const want = new Map(log.fixes.map((f) => [f.t, f]));
          for (const f of fixesOf()) {
            const w = want.get(f.t);
            expect(w, `fix at ${new Date(f.t).toISOString()} comes from the log`).toBeDefined();
            expect(Math.abs(f.lat - (w?.lat ?? 0))).toBeLessThanOrEqual(1e-6);
            expect(Math.abs(f.lon - (w?.lon ?? 0))).toBeLessThanOrEqual(1e-6);
          }
          expect(up.ofKind('pos').find((c) => c.deviceId === dev)?.msg.src).toBe('gpsd');
          expect(agent.stats().clockOffsetMs).toBeDefined();
          if (up.storedPositions) {
            // The hub: every fix of the batches it accepted is a stored position, by source time.
            const fixes = fixesOf();
            const stored = new Map((await up.storedPositions(dev)).map((p) => [p.t, p]));
            for (const f of fixes) {
              const s = stored.get(f.t);
              expect(s, `fix at ${new Date(f.t).toISOString()} is stored`).toBeDefined();
              expect(Math.abs(f.lat - (s?.lat ?? 0))).toBeLessThanOrEqual(1e-6);
              expect(Math.abs(f.lon - (s?.lon ?? 0))).toBeLessThanOrEqual(1e-6);
            }
          }
        } finally {
          await agent.close();
          await gps.stop();
        }
      },
      E2E_TIMEOUT_MS,
    );

    it(
      'a notice broadcast to the unit is receipted once as delivered and once as read',
      async () => {
        const dev = 'stb-150824-104-0007';
        await provision(dev, ['150824', '150824-104']);
        const agent = testAgent({
          deviceId: dev,
          url: broker.url,
          store: createMemoryOutbox(),
          units: ['150824', '150824-104'],
        });
        let notices = 0;
        agent.on('notice', () => {
          notices++;
        });
        await agent.start();
        await linkState(agent, 'online');
        const now = Date.now();
        const notice = {
          ...fixtures.notice[0],
          id: 'ntc-e2e-1',
          noticeId: 'ntc-e2e-1',
          validFrom: now - 1_000,
          expiresAt: now + 3_600_000,
        };
        await up.publish('sl/v1/unit/150824/notice', notice);
        await up.publish(`sl/v1/${dev}/down/notice`, notice);
        const receipts = () =>
          up.ofKind('receipt').filter((c) => c.deviceId === dev && c.msg.noticeId === 'ntc-e2e-1');
        await up.waitFor(() => receipts().length === 1 && notices === 2, 'the delivered receipt');
        expect(agent.markNoticeRead('ntc-e2e-1')).toBe('read');
        await up.waitFor(() => receipts().length === 2, 'the read receipt');
        expect(receipts().map((r) => r.msg.state)).toEqual(['delivered', 'read']);
        await agent.close();
      },
      E2E_TIMEOUT_MS,
    );
  });
}
