import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../state/db.ts';
import { isSosTopic, type PublishPacket, SqlitePersistence } from './sqlite-persistence.ts';

const broker = { id: 'broker-a' };
const phone = { id: 'bater' };
const ALERT = 'sl/v1/worker/p-bater/alert';
const NOTICE = 'sl/v1/unit/150824-104/notice';
const SOS_ACK = 'sl/v1/stb-150824-104-0007/down/sos-ack';
let counter = 0;
const publish = (topic: string, body: string): PublishPacket => ({
  cmd: 'publish',
  brokerId: broker.id,
  brokerCounter: ++counter,
  topic,
  payload: Buffer.from(body),
  qos: 1,
  retain: false,
  dup: false,
});
const all = async <T>(s: Readable): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of s) out.push(x as T);
  return out;
};

describe('aedes-persistence abstract suite', () => {
  it('passes against SqlitePersistence (node --test child process)', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=tap', 'hub/src/broker/sqlite-persistence.abstract.ts'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const count = (name: string) =>
      Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(out)?.[1] ?? Number.NaN);
    expect(code, out).toBe(0);
    expect(count('fail'), out).toBe(0);
    expect(count('pass'), out).toBeGreaterThanOrEqual(50);
  }, 60_000);
});

describe('SqlitePersistence', () => {
  let dir: string;
  let dbs: Db[];
  const open = async (o: ConstructorParameters<typeof SqlitePersistence>[1] = {}) => {
    const db = openDatabase(join(dir, 'state.db'));
    dbs.push(db);
    const p = new SqlitePersistence(db, o);
    await p.setup(broker);
    return p;
  };
  /** Closes the database as SIGKILL leaves it (committed rows only) and opens a new instance on it. */
  const reopen = async (o: ConstructorParameters<typeof SqlitePersistence>[1] = {}) => {
    dbs.pop()?.close();
    return open(o);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'steppelink-persistence-'));
    dbs = [];
  });
  afterEach(() => {
    for (const db of dbs) if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps subscriptions, the queue in order and the topic trie across a reopen', async () => {
    const p = await open();
    await p.addSubscriptions(phone, [
      { topic: ALERT, qos: 1 },
      { topic: 'sl/v1/unit/+/notice', qos: 1 },
      { topic: 'sl/v1/q0', qos: 0 },
    ]);
    const queued = [publish(ALERT, 'page 1'), publish(NOTICE, 'notice'), publish(ALERT, 'page 2')];
    for (const q of queued) await p.outgoingEnqueueCombi(await p.subscriptionsByTopic(q.topic), q);
    const first = { ...(queued[0] as PublishPacket), messageId: 7 };
    await p.outgoingUpdate(phone, first); // sent before the crash, not acknowledged

    const again = await reopen();
    expect((await again.subscriptionsByClient(phone)).map((s) => [s.topic, s.qos])).toEqual([
      [ALERT, 1],
      ['sl/v1/unit/+/notice', 1],
      ['sl/v1/q0', 0],
    ]);
    expect((await again.subscriptionsByTopic(NOTICE)).map((s) => s.clientId)).toEqual(['bater']);
    expect(await again.subscriptionsByTopic('sl/v1/q0')).toEqual([]);
    const list = await all<PublishPacket>(again.outgoingStream(phone));
    expect(list.map((x) => [x.topic, String(x.payload), x.messageId])).toEqual([
      [ALERT, 'page 1', 7],
      [NOTICE, 'notice', undefined],
      [ALERT, 'page 2', undefined],
    ]);
    expect(Buffer.isBuffer(list[0]?.payload)).toBe(true);
  });

  it('returns the original packet from outgoingClearMessageId (what aedes emits as `ack`)', async () => {
    const p = await open();
    const page = publish(ALERT, '{"id":"alr-1"}');
    await p.outgoingEnqueue({ clientId: phone.id }, page);
    await p.outgoingUpdate(phone, { ...page, messageId: 3 });
    const acked = await p.outgoingClearMessageId(phone, { cmd: 'puback', messageId: 3 });
    expect(acked).toMatchObject({ topic: ALERT, messageId: 3, brokerCounter: page.brokerCounter });
    expect(String(acked?.payload)).toBe('{"id":"alr-1"}');
    expect(await p.outgoingClearMessageId(phone, { cmd: 'puback', messageId: 3 })).toBeUndefined();
    expect(await all(p.outgoingStream(phone))).toEqual([]);
  });

  it('writes synchronously: a row is updated before the outgoingUpdate promise is awaited', async () => {
    const p = await open();
    const page = publish(ALERT, 'x');
    await p.outgoingEnqueue({ clientId: phone.id }, page);
    const sent = { ...page, messageId: 9 };
    void p.outgoingUpdate(phone, sent); // as urgent-delivery.ts calls it
    expect(await p.outgoingClearMessageId(phone, { messageId: 9 })).toMatchObject({ topic: ALERT });
  });

  it('gives a QoS 1 publish a free packet id when a resent packet of the session still holds its id', async () => {
    const p = await open();
    const old = publish(ALERT, 'old page');
    await p.outgoingEnqueue({ clientId: phone.id }, old);
    await p.outgoingUpdate(phone, { ...old, messageId: 1 }); // in flight when the phone dropped
    const fresh = publish(ALERT, 'new page');
    await p.outgoingEnqueue({ clientId: phone.id }, fresh);
    const sending = { ...fresh, messageId: 1 }; // aedes restarted the reconnected client's ids at 1
    await p.outgoingUpdate(phone, sending);
    expect(sending.messageId).toBe(2);
    expect(String((await p.outgoingClearMessageId(phone, { messageId: 2 }))?.payload)).toBe('new page');
    expect(String((await p.outgoingClearMessageId(phone, { messageId: 1 }))?.payload)).toBe('old page');
  });

  it('bounds a queue: drops the oldest non-SOS packets, never a page or an sos-ack, and counts them', async () => {
    const warned: unknown[] = [];
    const log = { warn: (o: unknown) => warned.push(o) } as never;
    const p = await open({ maxQueuedPerClient: 3, log });
    const box = { clientId: 'stb-150824-104-0007' };
    const q = [
      publish(SOS_ACK, 'ack 1'),
      publish(NOTICE, 'n1'),
      publish(ALERT, 'page'),
      publish(NOTICE, 'n2'),
      publish(NOTICE, 'n3'),
      publish(SOS_ACK, 'ack 2'),
    ];
    for (const x of q) await p.outgoingEnqueue(box, x);
    const left = await all<PublishPacket>(p.outgoingStream({ id: box.clientId }));
    expect(left.map((x) => String(x.payload))).toEqual(['ack 1', 'page', 'ack 2']);
    expect(p.dropped).toBe(3);
    expect(warned).toHaveLength(1); // once per client

    for (let i = 0; i < 3; i++) await p.outgoingEnqueue(box, publish(SOS_ACK, `more ${i}`));
    const urgent = await all<PublishPacket>(p.outgoingStream({ id: box.clientId }));
    expect(urgent).toHaveLength(6); // all SOS: the queue grows past its bound rather than lose one
    expect(p.dropped).toBe(3);

    const again = await reopen({ maxQueuedPerClient: 3, log });
    await again.outgoingEnqueue(box, publish(NOTICE, 'late notice'));
    expect((await all(again.outgoingStream({ id: box.clientId }))).length).toBe(6); // count restored: dropped at once
    expect(again.dropped).toBe(1);
  });

  it('keeps wills, inbound QoS 2 packets and retained messages across a reopen', async () => {
    const p = await open();
    await p.putWill(phone, { topic: 'sl/v1/x/lwt', payload: Buffer.from('gone'), qos: 1, retain: false });
    await p.incomingStorePacket(phone, {
      cmd: 'publish',
      topic: 't',
      payload: Buffer.from('q2'),
      qos: 2,
      messageId: 5,
    });
    await p.storeRetained({
      cmd: 'publish',
      topic: 'sl/v1/r',
      payload: Buffer.from('kept'),
      qos: 0,
      retain: true,
    });
    const again = await reopen();
    const wills = await all<{ clientId: string; brokerId: string }>(again.streamWill({}));
    expect(wills).toMatchObject([{ clientId: 'bater', brokerId: 'broker-a', topic: 'sl/v1/x/lwt' }]);
    expect(await all(again.streamWill({ 'broker-a': Date.now() }))).toEqual([]);
    expect(String((await again.incomingGetPacket(phone, { messageId: 5 })).payload)).toBe('q2');
    const retained = await all<{ payload: Buffer }>(again.createRetainedStreamCombi(['sl/v1/#']));
    expect(retained.map((r) => String(r.payload))).toEqual(['kept']);
  });

  it('cleanSubscriptions forgets the session in the table and the trie', async () => {
    const p = await open();
    await p.addSubscriptions(phone, [{ topic: ALERT, qos: 1 }]);
    await p.cleanSubscriptions(phone);
    const again = await reopen();
    expect(await again.subscriptionsByClient(phone)).toEqual([]);
    expect(await again.subscriptionsByTopic(ALERT)).toEqual([]);
  });

  it('commits the subscriptions of one turn together, and does not rewrite an unchanged one', async () => {
    const p = await open();
    const db = dbs[0]!;
    const boxes = Array.from({ length: 50 }, (_, i) => ({ id: `stb-storm-${i}` }));
    const subs = (id: string) => [
      { topic: `sl/v1/${id}/down/#`, qos: 1 },
      { topic: NOTICE, qos: 1 },
    ];
    const rows = () => db.prepare('SELECT count(*) FROM broker_subscriptions').pluck().get() as number;
    await Promise.all(boxes.map((b) => p.addSubscriptions(b, subs(b.id))));
    expect(rows()).toBe(100);
    expect((await p.subscriptionsByTopic(NOTICE)).length).toBe(50);
    // another connection sees every commit; one turn's subscriptions are one commit
    const other = openDatabase(join(dir, 'state.db'));
    dbs.push(other);
    const seen = () => other.prepare('PRAGMA data_version').pluck().get() as number;
    const before = seen();
    await Promise.all(boxes.map((b) => p.addSubscriptions(b, [{ topic: `sl/v1/${b.id}/down/x`, qos: 1 }])));
    expect(seen() - before).toBe(1);
    const again = seen();
    await Promise.all(boxes.map((b) => p.addSubscriptions(b, subs(b.id)))); // a power-return resubscribe
    expect(seen()).toBe(again); // nothing written
  });

  it('writes a SUBSCRIBE once though aedes hands it over once per topic, and answers from memory what the tables hold', async () => {
    const p = await open();
    const box = { id: 'stb-150824-104-0007' };
    const subs = [
      { topic: SOS_ACK, qos: 1 },
      { topic: NOTICE, qos: 1 },
      { topic: 'sl/v1/stb-150824-104-0007/down/x', qos: 0 },
    ];
    const other = openDatabase(join(dir, 'state.db'));
    dbs.push(other);
    const seen = () => other.prepare('PRAGMA data_version').pluck().get() as number;
    const before = seen();
    // aedes' storeSubscriptions: one call per topic, each with the whole packet's list
    await Promise.all(subs.map(() => p.addSubscriptions(box, subs)));
    expect(seen() - before).toBe(1);
    expect(await p.subscriptionsByClient(box)).toEqual(
      subs.map((s) => ({ ...s, rh: undefined, rap: undefined, nl: undefined })),
    );
    // a QoS 0 subscription is stored but not in the trie; the others are
    expect((await p.subscriptionsByTopic(SOS_ACK)).map((s) => s.clientId)).toEqual([box.id]);
    expect(await p.subscriptionsByTopic('sl/v1/stb-150824-104-0007/down/x')).toEqual([]);
    // downgraded to QoS 0: out of the trie, still listed
    await p.addSubscriptions(box, [{ topic: NOTICE, qos: 0 }]);
    expect(await p.subscriptionsByTopic(NOTICE)).toEqual([]);
    expect((await p.subscriptionsByClient(box)).find((s) => s.topic === NOTICE)?.qos).toBe(0);
    await p.removeSubscriptions(box, [SOS_ACK]);
    expect(await p.subscriptionsByTopic(SOS_ACK)).toEqual([]);
    // nothing queued, no will, nothing retained: answered without a row
    expect(await all(p.outgoingStream(box))).toEqual([]);
    expect(await p.getWill(box)).toBeUndefined();
    await p.putWill(box, {
      cmd: 'publish',
      topic: 'sl/v1/stb-150824-104-0007/lwt',
      payload: Buffer.from('gone'),
    });
    await p.storeRetained({ topic: 'sl/v1/unit/150824/notice', payload: Buffer.from('kept'), retain: true });
    await p.outgoingEnqueue({ clientId: box.id }, publish(SOS_ACK, 'ack'));
    // what a reopened hub answers from the tables, the running one answers the same
    for (const q of [p, await reopen()]) {
      expect((await q.subscriptionsByClient(box)).map((s) => [s.topic, s.qos])).toEqual([
        [NOTICE, 0],
        ['sl/v1/stb-150824-104-0007/down/x', 0],
      ]);
      expect((await q.getWill(box))?.topic).toBe('sl/v1/stb-150824-104-0007/lwt');
      expect((await all<PublishPacket>(q.outgoingStream(box))).map((x) => String(x.payload))).toEqual([
        'ack',
      ]);
      const kept = await all<PublishPacket>(q.createRetainedStreamCombi(['sl/v1/unit/+/notice']));
      expect(kept.map((x) => String(x.payload))).toEqual(['kept']);
    }
  });

  it('names SOS topics: worker alerts and sos-acks only', () => {
    expect(isSosTopic(ALERT)).toBe(true);
    expect(isSosTopic(SOS_ACK)).toBe(true);
    expect(isSosTopic(NOTICE)).toBe(false);
    expect(isSosTopic('sl/v1/worker/p-bater/ack')).toBe(false);
    expect(isSosTopic('other/worker/x/alert')).toBe(false);
  });
});
