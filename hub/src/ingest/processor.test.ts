import { encodeOrThrow, fixtures, type MessageInputOf, type MessageOf } from '@steppelink/protocols';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Accepted, HubModule } from '../context.ts';
import { HubEvents } from '../events.ts';
import { silentLogger } from '../log.ts';
import { createMetrics } from '../metrics.ts';
import { type Db, openDatabase } from '../state/db.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import type { PendingReject } from './accept-queue.ts';
import { ClockSkew, ClockSkewTable } from './clock-skew.ts';
import { FakeTelemetry } from './fake-telemetry.ts';
import type { InboxEntry } from './inbox.ts';
import { SqliteInboxStore } from './sqlite-inbox.ts';
import { Processor, type ProcessorOptions } from './processor.ts';

const TRACKER = 'trk-patrol-150825-03';
const settle = () => new Promise((r) => setTimeout(r, 5));
const until = async (f: () => boolean) => {
  while (!f()) await settle();
};

describe('Processor', () => {
  let db: Db;
  let inbox: SqliteInboxStore;
  let telemetry: FakeTelemetry;
  let clock: ManualClock;
  let dead: PendingReject[];
  let seen: Accepted[];
  let processor: Processor | undefined;
  const recorder: HubModule = {
    name: 'recorder',
    start() {},
    handlers: {
      pos: (m) => {
        seen.push(m);
      },
      'worker-ack': (m) => {
        seen.push(m as unknown as Accepted);
      },
    },
    close() {},
  };
  const make = (modules: HubModule[] = [recorder], o: ProcessorOptions = {}) => {
    const metrics = createMetrics({ defaultMetrics: false });
    processor = new Processor(
      {
        inbox,
        telemetry,
        modules,
        events: new HubEvents(),
        metrics,
        clockSkew: new ClockSkew(new ClockSkewTable(db), metrics),
        clock,
        log: silentLogger(),
        deadLetter: (d) => dead.push(d),
        progress: () => {},
      },
      o,
    );
    return processor;
  };
  /** Commits a message into the inbox and returns it as the accept queue hands it on. */
  const commit = <K extends 'pos' | 'sos'>(
    sender: string,
    kind: K,
    msg: MessageInputOf<K>,
    receivedAt = clock.now(),
  ) => {
    const e: InboxEntry = {
      sender,
      msgId: msg.id,
      kind,
      payload: encodeOrThrow(kind, msg as never),
      receivedAt,
      seq: 0,
    };
    inbox.commit([e], []);
    return { seq: e.seq, deviceId: sender, kind, msg: msg as MessageOf<K>, receivedAt: e.receivedAt };
  };
  /** The fixture batch of the tracker, committed. */
  const accept = (n: number) => commit(TRACKER, 'pos', { ...fixtures.pos[0]!, id: `${TRACKER}:pos:${n}` });
  beforeEach(() => {
    db = openDatabase(':memory:');
    inbox = new SqliteInboxStore(db);
    telemetry = new FakeTelemetry();
    clock = new ManualClock();
    dead = [];
    seen = [];
  });
  afterEach(async () => {
    await processor?.close();
    db.close();
  });

  it('writes the positions, hands the message to the modules, then advances the watermark', async () => {
    const p = make();
    p.start();
    const item = accept(1);
    p.push([item]);
    await until(() => inbox.processedSeq() === item.seq);
    expect(telemetry.batches[0]?.positions).toHaveLength(3);
    expect(seen.map((m) => m.msg.id)).toEqual([`${TRACKER}:pos:1`]);
  });

  it('lets an SOS overtake a telemetry batch stuck on its write, without moving the watermark past it', async () => {
    const sos: Accepted[] = [];
    const p = make(
      [
        {
          ...recorder,
          handlers: { ...recorder.handlers, sos: (m) => void sos.push(m as unknown as Accepted) },
        },
      ],
      {
        retryMinMs: 200,
        retryMaxMs: 1_000,
      },
    );
    p.start();
    telemetry.failNext(2);
    const pos = accept(10);
    p.push([pos]);
    await settle();
    p.push([commit('stb-150824-104-0007', 'sos', { ...fixtures.sos[0]!, id: 'stb-150824-104-0007:sos:99' })]);
    await until(() => sos.length === 1);
    expect(seen).toEqual([]); // the positions still wait for their write
    expect(inbox.processedSeq()).toBeLessThan(pos.seq);
    await clock.advance(2_000);
    await until(() => inbox.processedSeq() === pos.seq);
    expect(seen.map((m) => m.msg.id)).toEqual([`${TRACKER}:pos:10`]);
  });

  it('holds the watermark below an SOS still being handled, though telemetry accepted after it is done', async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const sos: Accepted[] = [];
    const p = make([
      {
        ...recorder,
        handlers: {
          ...recorder.handlers,
          sos: async (m) => {
            sos.push(m as unknown as Accepted);
            await gate; // the engine's transaction comes after the page
          },
        },
      },
    ]);
    p.start();
    const before = accept(1);
    p.push([before]);
    await until(() => inbox.processedSeq() === before.seq);
    // As the accept queue hands an SOS on: before its commit, which then sets its seq.
    const press = { ...fixtures.sos[0]!, id: 'stb-150824-104-0007:sos:7' };
    const item = {
      sender: 'stb-150824-104-0007',
      msgId: press.id,
      payload: encodeOrThrow('sos', press),
      seq: 0,
      deviceId: 'stb-150824-104-0007',
      kind: 'sos' as const,
      msg: press,
      receivedAt: clock.now(),
    };
    p.push([item]);
    inbox.commit([item], []);
    await until(() => sos.length === 1);
    const after = accept(2);
    expect(after.seq).toBeGreaterThan(item.seq);
    p.push([after]);
    try {
      await until(() => seen.length === 2);
      await settle();
      expect(inbox.processedSeq()).toBe(item.seq - 1); // a crash now replays the SOS
    } finally {
      release();
    }
    await until(() => inbox.processedSeq() === after.seq);
  });

  it('retries a failed telemetry write with growing waits, and hands on nothing until it succeeds', async () => {
    const p = make([recorder], { retryMinMs: 200, retryMaxMs: 1_000 });
    p.start();
    telemetry.failNext(3);
    const item = accept(2);
    p.push([item]);
    await settle();
    expect(seen).toEqual([]);
    await clock.advance(250); // first retry (200 ms + jitter) fails
    await clock.advance(500); // second (400 ms + jitter) fails
    expect(seen).toEqual([]);
    expect(p.storeFailures).toBe(3);
    await clock.advance(1_000); // third wait is capped at 1 s: succeeds
    await until(() => inbox.processedSeq() === item.seq);
    expect(seen).toHaveLength(1);
    expect(telemetry.batches).toHaveLength(1);
  });

  it('replays accepted rows a previous run did not finish, worker acks included', async () => {
    const a = accept(3);
    const b = accept(4);
    const ack = fixtures['worker-ack'][0]!;
    const w: InboxEntry = {
      sender: 'worker/p-bater',
      msgId: ack.id,
      kind: 'worker-ack',
      payload: encodeOrThrow('worker-ack', ack),
      receivedAt: clock.now(),
      seq: 0,
    };
    inbox.commit([w], []);
    inbox.markProcessed(a.seq);
    const p = make();
    p.start();
    await until(() => inbox.processedSeq() === w.seq);
    expect(seen.map((m) => [m.kind, m.deviceId, m.seq])).toEqual([
      ['pos', TRACKER, b.seq],
      ['worker-ack', 'p-bater', w.seq],
    ]);
  });

  it('hands a 2096-stamped SOS to its handler at receive time (the incident engine reads msg.ts)', async () => {
    const sos: Accepted[] = [];
    const p = make([{ ...recorder, handlers: { sos: (m) => void sos.push(m as unknown as Accepted) } }]);
    p.start();
    const press = { ...fixtures.sos[0]!, id: 'stb-150824-104-0007:sos:2096', ts: Date.UTC(2096, 2, 1) };
    const e = commit('stb-150824-104-0007', 'sos', press);
    p.push([e]);
    await until(() => sos.length === 1);
    expect(sos[0]?.msg.ts).toBe(e.receivedAt);
  });

  it('replays a future-stamped batch at the receive time recorded in the inbox, not at replay time', async () => {
    const bogus = {
      ...fixtures.pos[0]!,
      id: `${TRACKER}:pos:2096`,
      ts: Date.UTC(2096, 2, 1),
      t0: Date.UTC(2096, 2, 1),
    };
    const receivedAt = clock.now();
    const e = commit(TRACKER, 'pos', bogus, receivedAt);
    await clock.advance(3_600_000); // the hub comes back an hour later
    const p = make();
    p.start();
    await until(() => inbox.processedSeq() === e.seq);
    expect(telemetry.batches[0]?.positions?.map((x) => x.t)).toEqual([
      receivedAt - 2,
      receivedAt - 1,
      receivedAt,
    ]);
    expect(seen[0]?.msg).toMatchObject({ ts: receivedAt, t0: receivedAt - 2 });
  });

  it('records a handler that hangs as handler_error after the timeout and goes on', async () => {
    const hanging: HubModule = {
      name: 'incidents',
      start() {},
      handlers: { pos: () => new Promise<void>(() => {}) },
      close() {},
    };
    const p = make([hanging, recorder], { handlerTimeoutMs: 30_000 });
    p.start();
    const item = accept(5);
    p.push([item]);
    await settle();
    expect(seen).toEqual([]);
    await clock.advance(30_000);
    await until(() => inbox.processedSeq() === item.seq);
    expect(dead[0]).toMatchObject({
      reason: 'handler_error',
      deviceId: TRACKER,
      topic: `sl/v1/${TRACKER}/pos`,
    });
    expect(dead[0]?.detail).toMatch(/incidents: handler did not finish within 30000 ms/);
    expect(seen).toHaveLength(1);
  });

  it('closes during a retry wait without advancing the watermark', async () => {
    const p = make();
    p.start();
    telemetry.failNext(100);
    p.push([accept(6)]);
    await settle();
    expect(await p.close()).toEqual({ unprocessed: 0 });
    expect(inbox.processedSeq()).toBe(0);
  });
});
