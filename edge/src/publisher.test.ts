import type { UpKind } from '@steppelink/protocols';
import { describe, expect, it } from 'vitest';
import { ByteBudget } from './budget.ts';
import { createMemoryOutbox } from './outbox/memory.ts';
import { priorityOf } from './outbox/port.ts';
import { Publisher } from './publisher.ts';
import { ManualTime } from './testing/manual-time.ts';

function setup(opts: { maxInflight?: number; budget?: number | null } = {}) {
  const time = new ManualTime();
  const store = createMemoryOutbox();
  const sent: { msgId: string; done: (e?: Error) => void }[] = [];
  let online = true;
  const target = {
    publish(_topic: string, payload: Uint8Array, done: (e?: Error) => void) {
      if (!online) return false;
      sent.push({ msgId: Buffer.from(payload).toString(), done });
      return true;
    },
  };
  const pub = new Publisher({
    store,
    target,
    budget: new ByteBudget(time, opts.budget ?? null),
    timers: time,
    maxInflight: opts.maxInflight ?? 4,
  });
  let n = 0;
  const put = (kind: UpKind, bytes = 0) => {
    const msgId = `${kind}-${++n}`;
    const payload = Buffer.from(msgId.padEnd(Math.max(bytes, msgId.length), ' '));
    store.put({ kind, topic: `sl/v1/trk-patrol-150825-03/${kind}`, msgId, payload, createdMs: time.now() });
    pub.kick(priorityOf(kind));
    return msgId;
  };
  const ackAll = () => {
    for (const s of sent.splice(0)) s.done();
    pub.flush();
  };
  return {
    time,
    store,
    sent,
    pub,
    put,
    ackAll,
    setOnline: (v: boolean) => {
      online = v;
    },
  };
}

const ids = (sent: { msgId: string }[]) => sent.map((s) => s.msgId.trim());

describe('Publisher', () => {
  it('keeps at most maxInflight unacknowledged and removes entries only on PUBACK', () => {
    const { store, sent, pub, put } = setup({ maxInflight: 3 });
    for (let i = 0; i < 10; i++) put('pos');
    pub.online();
    expect(sent).toHaveLength(3);
    sent[0]?.done();
    pub.flush();
    expect(sent).toHaveLength(4);
    expect(store.stats().count).toBe(9);
  });

  it('sends an SOS as soon as a slot frees up, ahead of the queued backlog', () => {
    const { sent, pub, put } = setup({ maxInflight: 2 });
    for (let i = 0; i < 100; i++) put('pos');
    pub.online();
    put('sos');
    put('receipt');
    expect(ids(sent)).toEqual(['pos-1', 'pos-2']);
    sent[0]?.done();
    expect(ids(sent).at(-1)).toBe('sos-101');
    sent[1]?.done();
    expect(ids(sent).at(-1)).toBe('receipt-102');
    sent[2]?.done();
    expect(ids(sent).at(-1)).toBe('pos-3');
  });

  it('resends everything unacknowledged on a new session, in priority order', () => {
    const { store, sent, pub, put, setOnline } = setup({ maxInflight: 8 });
    put('pos');
    put('hb');
    pub.online();
    expect(ids(sent)).toEqual(['hb-2', 'pos-1']);
    pub.offline();
    setOnline(false);
    put('sos');
    expect(sent).toHaveLength(2);
    setOnline(true);
    sent.splice(0);
    pub.online();
    expect(ids(sent)).toEqual(['sos-3', 'hb-2', 'pos-1']);
    expect(store.stats().count).toBe(3);
  });

  it('honours a late PUBACK from the previous session but does not let it free a slot', () => {
    const { store, sent, pub, put } = setup({ maxInflight: 1 });
    put('pos');
    put('pos');
    pub.online();
    const old = sent.splice(0);
    pub.online(); // reconnected: pos-1 resent
    expect(ids(sent)).toEqual(['pos-1']);
    old[0]?.done();
    pub.flush();
    expect(store.stats().count).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('leaves a failed publish in the outbox and retries it later', () => {
    const { time, store, sent, pub, put } = setup();
    put('sos');
    pub.online();
    sent.splice(0)[0]?.done(new Error('client disconnecting'));
    expect(sent).toHaveLength(0);
    time.advance(1_000);
    expect(ids(sent)).toEqual(['sos-1']);
    expect(store.stats().count).toBe(1);
  });

  it('paces telemetry by the byte budget but never holds back an SOS', () => {
    const { time, sent, pub, put, ackAll } = setup({ maxInflight: 10, budget: 1_000 });
    for (let i = 0; i < 5; i++) put('pos', 400);
    pub.online();
    expect(sent).toHaveLength(2);
    ackAll();
    expect(sent).toHaveLength(0);
    put('sos', 400);
    expect(ids(sent)).toEqual(['sos-6']);
    ackAll();
    time.advance(59_000);
    expect(sent).toHaveLength(1);
  });

  it('emits acked with the message id and kind', () => {
    const { sent, pub, put } = setup();
    const acked: string[] = [];
    pub.on('acked', (a) => acked.push(`${a.kind}:${a.msgId}`));
    put('receipt');
    pub.online();
    sent[0]?.done();
    expect(acked).toEqual(['receipt:receipt-1']);
  });
});

describe('Publisher drained event', () => {
  it('reports when a backlog of at least drainedMin has gone out and the outbox is empty', () => {
    const time = new ManualTime();
    const store = createMemoryOutbox();
    const sent: ((e?: Error) => void)[] = [];
    const pub = new Publisher({
      store,
      target: { publish: (_t, _p, done) => sent.push(done) > 0 },
      budget: new ByteBudget(time, null),
      timers: time,
      maxInflight: 4,
      drainedMin: 5,
    });
    const drained: number[] = [];
    pub.on('drained', (d) => drained.push(d.messages));
    for (let i = 0; i < 6; i++)
      store.put({ kind: 'pos', topic: 't', msgId: `p${i}`, payload: Buffer.from('x'), createdMs: 0 });
    pub.online();
    while (sent.length > 0) {
      sent.shift()?.();
      pub.flush();
    }
    expect(drained).toEqual([6]);
    store.put({ kind: 'hb', topic: 't', msgId: 'h', payload: Buffer.from('x'), createdMs: 0 });
    pub.kick(2);
    sent.shift()?.();
    pub.flush();
    expect(drained).toEqual([6]); // one message is not a backlog
  });
});
