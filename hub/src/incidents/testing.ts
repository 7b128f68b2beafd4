import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MessageInputOf, sosSchema, workerAckSchema } from '@steppelink/protocols';
import { Registry as MetricsRegistry } from 'prom-client';
import { ManualClock } from '../testing/manual-clock.ts';
import type { Accepted, HubContext, Publisher } from '../context.ts';
import { HubEvents } from '../events.ts';
import { silentLogger } from '../log.ts';
import { SMALL_LEAGUE } from '../registry/fixture.ts';
import type { RegistryDocument } from '../registry/schema.ts';
import { openSqliteRegistry } from '../registry/sqlite-store.ts';
import { type Db, openDatabase } from '../state/db.ts';
import type { TelemetryStore } from '../telemetry/port.ts';

/** 2025-11-25 08:00 Asia/Shanghai (the protocols fixtures' base time). */
export const T0 = 1_764_028_800_000;

/** The hub's manual test clock, starting at T0 (kept under this name for the incidents tests). */
export class FakeClock extends ManualClock {
  constructor(start = T0) {
    super(start);
  }
}

export interface Published {
  topic: string;
  payload: unknown;
  qos: number | undefined;
}

/**
 * A Publisher stand-in for unit tests: records what would go to the broker; can be made to fail.
 * Every QoS 1 message is acknowledged by its receiver (a PUBACK reported through `onDelivered`
 * on the next tick) unless `puback` is false: then `ackAll()` acknowledges what was published.
 */
export class RecordingPublisher implements Publisher {
  readonly published: Published[] = [];
  connected = new Set<string>();
  failNext = 0;
  puback = true;
  /** Set to answer whether anybody is subscribed (absent: the broker can't tell, a publish is queued). */
  hasSubscriber?: (topic: string) => Promise<boolean>;
  private readonly raw: { topic: string; payload: Buffer; acked: boolean }[] = [];
  private readonly delivered: ((clientId: string, topic: string, payload: Buffer) => void)[] = [];
  async publish(topic: string, payload: Buffer, opts?: { qos?: 0 | 1 }): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('broker not accepting (test)');
    }
    this.published.push({ topic, payload: JSON.parse(payload.toString('utf8')), qos: opts?.qos });
    const sent = { topic, payload, acked: false };
    this.raw.push(sent);
    if (this.puback && opts?.qos === 1) setImmediate(() => this.ack(sent));
  }
  onDelivered(fn: (clientId: string, topic: string, payload: Buffer) => void): void {
    this.delivered.push(fn);
  }
  /** PUBACKs every message published so far that was not acknowledged yet. */
  ackAll(): void {
    for (const m of this.raw) this.ack(m);
  }
  private ack(m: { topic: string; payload: Buffer; acked: boolean }): void {
    if (m.acked) return;
    m.acked = true;
    for (const fn of this.delivered) fn('test-client', m.topic, m.payload);
  }
  isConnected(clientId: string): boolean {
    return this.connected.has(clientId);
  }
  on(topic: string): unknown[] {
    return this.published.filter((p) => p.topic === topic).map((p) => p.payload);
  }
}

export interface TestContext {
  ctx: HubContext;
  db: Db;
  dir: string;
  clock: FakeClock;
  publisher: RecordingPublisher;
  /** Opens the same database again (a restart): new connection, new registry store. */
  reopen(): HubContext;
  close(): void;
}

/** A real SQLite file in a temp dir, the small league imported, fake time, a recording publisher. */
export function testContext(opts: { doc?: RegistryDocument; clock?: FakeClock } = {}): TestContext {
  const dir = mkdtempSync(join(tmpdir(), 'sl-incidents-'));
  const clock = opts.clock ?? new FakeClock();
  const publisher = new RecordingPublisher();
  const dbs: Db[] = [];
  const make = (): HubContext => {
    const db = openDatabase(join(dir, 'state.db'));
    dbs.push(db);
    const registry = openSqliteRegistry(db);
    if (dbs.length === 1) {
      const r = registry.importDocumentNow(opts.doc ?? SMALL_LEAGUE);
      if (!r.ok) throw new Error(`fixture import failed: ${JSON.stringify(r.errors)}`);
    }
    return {
      db,
      registry,
      telemetry: {} as TelemetryStore,
      publisher,
      events: new HubEvents(),
      clock,
      log: silentLogger(),
      metrics: new MetricsRegistry(),
      dataDir: dir,
    };
  };
  const ctx = make();
  return {
    ctx,
    db: ctx.db,
    dir,
    clock,
    publisher,
    reopen: make,
    close() {
      for (const db of dbs) if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let seq = 0;

/** An SOS raise as ingest hands it to the incidents module (a new message id each call). */
export function acceptedSos(
  tc: Pick<TestContext, 'clock'>,
  deviceId: string,
  msg: Partial<MessageInputOf<'sos'>> = {},
  receivedAt = tc.clock.now(),
): Accepted<'sos'> {
  seq++;
  return {
    seq,
    deviceId,
    kind: 'sos',
    msg: sosSchema.parse({ v: 1, id: `${deviceId}:sos:${seq}`, ts: tc.clock.now(), action: 'raise', ...msg }),
    receivedAt,
  };
}

/** A worker's ack (or decline) from their phone, as ingest hands it over (a new message id each call). */
export function acceptedWorkerAck(
  tc: Pick<TestContext, 'clock'>,
  person: string,
  incidentId: string,
  action: 'ack' | 'decline' = 'ack',
): Accepted<'worker-ack'> {
  seq++;
  return {
    seq,
    deviceId: person,
    kind: 'worker-ack',
    msg: workerAckSchema.parse({
      v: 1,
      id: `wack-${seq}`,
      ts: tc.clock.now(),
      incidentId,
      action,
      note: '马上出发',
    }),
    receivedAt: tc.clock.now(),
  };
}
