import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { createMetrics } from '../metrics.ts';
import { type Db, openDatabase } from '../state/db.ts';
import { AcceptQueue, type AcceptSink, type PendingAccept } from './accept-queue.ts';
import { DeadLetterTable } from './dead-letters.ts';
import { SqliteInboxStore } from './sqlite-inbox.ts';

const T = 1_764_028_800_000;
const tick = () => new Promise((r) => setTimeout(r, 10));

/** A sink whose backlog the test sets. */
class Sink implements AcceptSink {
  items: PendingAccept[] = [];
  backlog = 0;
  push(items: readonly PendingAccept[]): void {
    this.items.push(...items);
  }
}

describe('AcceptQueue (group commit)', () => {
  let db: Db;
  let inbox: SqliteInboxStore;
  let sink: Sink;
  let acks: string[];
  const msg = (id: string): PendingAccept => ({
    sender: 'trk-patrol-150825-03',
    deviceId: 'trk-patrol-150825-03',
    msgId: id,
    kind: 'pos',
    payload: Buffer.from('{}'),
    msg: { id },
    receivedAt: T,
    seq: 0,
    done: (err) => acks.push(err ? `${id}:${err.message}` : id),
  });
  const queue = (o = {}) =>
    new AcceptQueue(
      inbox,
      new DeadLetterTable(inbox),
      sink,
      createMetrics({ defaultMetrics: false }),
      silentLogger(),
      o,
    );
  beforeEach(() => {
    db = openDatabase(':memory:');
    inbox = new SqliteInboxStore(db);
    sink = new Sink();
    acks = [];
  });
  afterEach(() => db.close());

  it('hands an SOS on at once, then commits it (and what waits with it) at the end of the turn', async () => {
    const q = queue();
    q.accept(msg('01KAWY3A00000000000000000A'));
    q.accept({ ...msg('01KAWY3A00000000000000000S'), sender: 'stb-150824-104-0007', kind: 'sos' });
    // no turn of the event loop in between: the SOS is on its way (its page needs no disk
    // write), not yet durable, so not acknowledged
    expect(sink.items.map((i) => i.kind)).toEqual(['sos']);
    expect(inbox.has('stb-150824-104-0007', '01KAWY3A00000000000000000S')).toBe(false);
    expect(acks).toEqual([]);
    await new Promise((r) => setImmediate(r));
    // the end of that turn: one commit holds both, both are acknowledged, the SOS is not handed on twice
    expect(inbox.has('stb-150824-104-0007', '01KAWY3A00000000000000000S')).toBe(true);
    expect(acks).toEqual(['01KAWY3A00000000000000000A', '01KAWY3A00000000000000000S']);
    expect(sink.items.map((i) => i.kind)).toEqual(['sos', 'pos']);
    expect(q.commits).toBe(1);
    q.accept(msg('01KAWY3A00000000000000000B'));
    expect(acks).toHaveLength(2); // telemetry waits for the group commit again
    await tick();
    expect(acks).toHaveLength(3);
  });

  it('acknowledges only after the transaction that holds the message has committed', async () => {
    const q = queue();
    q.accept(msg('01KAWY3A00000000000000000A'));
    q.accept(msg('01KAWY3A00000000000000000B'));
    expect(acks).toEqual([]); // same turn of the event loop: nothing committed yet
    await tick();
    expect(acks).toEqual(['01KAWY3A00000000000000000A', '01KAWY3A00000000000000000B']);
    expect(inbox.has('trk-patrol-150825-03', '01KAWY3A00000000000000000B')).toBe(true);
    expect(sink.items.map((i) => i.seq)).toEqual([1, 2]);
    expect(q.commits).toBe(1);
  });

  it('acknowledges a duplicate without handing it on', async () => {
    const q = queue();
    q.accept(msg('01KAWY3A00000000000000000C'));
    await tick();
    q.accept(msg('01KAWY3A00000000000000000C'));
    await tick();
    expect(acks).toHaveLength(2);
    expect(sink.items).toHaveLength(1);
  });

  it('fails the callbacks when the commit fails, so no PUBACK claims a message is durable', async () => {
    const q = queue();
    db.exec('DROP TABLE inbox');
    q.accept(msg('01KAWY3A00000000000000000D'));
    await tick();
    expect(acks[0]).toMatch(/^01KAWY3A00000000000000000D:.*no such table/);
    expect(q.commitFailures).toBe(1);
  });

  it('acknowledges a refused message only once its dead letter is committed, and fails it when the write fails', async () => {
    const dead = new DeadLetterTable(inbox);
    const q = queue();
    const reject = (detail: string) =>
      q.reject({
        at: T,
        topic: 'sl/v1/stb-unknown-0001/pos',
        deviceId: 'stb-unknown-0001',
        clientId: null,
        reason: 'unknown_device',
        detail,
        excerpt: '',
        done: (err) => acks.push(err ? `${detail}:${err.message}` : detail),
      });
    reject('no such device');
    expect(acks).toEqual([]); // same turn: not written yet, so not acknowledged
    await tick();
    expect(acks).toEqual(['no such device']);
    expect((await dead.list({ limit: 10 })).map((d) => d.detail)).toEqual(['no such device']);
    db.exec('DROP TABLE dead_letters');
    reject('written nowhere');
    await tick();
    expect(acks[1]).toMatch(/^written nowhere:.*no such table/);
  });

  it('holds acknowledgements while the processor lags, and releases them when it catches up', async () => {
    const q = queue({ maxBacklog: 10 });
    sink.backlog = 50;
    q.accept(msg('01KAWY3A00000000000000000E'));
    await tick();
    expect(inbox.has('trk-patrol-150825-03', '01KAWY3A00000000000000000E')).toBe(true); // durable...
    expect(acks).toEqual([]); // ...but not acknowledged yet
    expect(q.parkedCount).toBe(1);
    sink.backlog = 8; // still above half the bound
    q.drained();
    expect(acks).toEqual([]);
    sink.backlog = 2;
    q.drained();
    expect(acks).toEqual(['01KAWY3A00000000000000000E']);
  });

  it('splits a burst into transactions of at most maxBatch', async () => {
    const q = queue({ maxBatch: 3 });
    for (let i = 0; i < 7; i++) q.accept(msg(`01KAWY3B0000000000000000${String(i).padStart(2, '0')}`));
    await new Promise((r) => setTimeout(r, 50));
    expect(acks).toHaveLength(7);
    expect(q.commits).toBe(3);
  });
});
