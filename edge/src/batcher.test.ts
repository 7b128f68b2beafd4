import { decode, expandFixes } from '@steppelink/protocols';
import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';
import { grazingBatchSpec, posBatchSpec } from './entries.ts';
import { createMemoryOutbox } from './outbox/memory.ts';
import type { NewEntry } from './outbox/port.ts';
import { ManualTime } from './testing/manual-time.ts';

const T = 1_764_028_800_000;

function setup(store = createMemoryOutbox()) {
  const time = new ManualTime(T);
  let n = 0;
  const ctx = { deviceId: 'trk-patrol-150825-03', nextId: () => `id-${++n}`, now: () => time.now() };
  const sealed: NewEntry[] = [];
  const batcher = new Batcher({
    store,
    clock: time,
    timers: time,
    specs: { pos: posBatchSpec(ctx, 3, 60_000), grazing: grazingBatchSpec(ctx, 2, 120_000) },
    onSealed: (e) => sealed.push(e),
  });
  return { time, store, batcher, sealed };
}

const fix = (i: number, t = T + i * 10_000) =>
  JSON.stringify({ t, lat: 42.4, lon: 106.8 + i * 0.001, src: 'gpsd' });

describe('Batcher', () => {
  it('seals a position batch when it is full, with the fixes in compact form', () => {
    const { store, batcher, sealed } = setup();
    batcher.start();
    for (let i = 0; i < 4; i++) batcher.add('pos', fix(i));
    expect(sealed).toHaveLength(1);
    const msg = decode('pos', sealed[0]?.payload ?? '');
    if (!msg.ok) throw new Error(msg.error.message);
    expect(msg.value.src).toBe('gpsd');
    expect(expandFixes(msg.value).map((f) => f.lon)).toEqual([106.8, 106.801, 106.802]);
    expect(sealed[0]?.topic).toBe('sl/v1/trk-patrol-150825-03/pos');
    expect(store.stats()).toMatchObject({ count: 1, staged: 1 });
  });

  it('seals by age, per stream, and names a relayed subject', () => {
    const { time, batcher, sealed } = setup();
    batcher.add('pos/herd-0007-sheep', fix(0));
    time.advance(59_999);
    expect(sealed).toHaveLength(0);
    time.advance(1);
    const msg = decode('pos', sealed[0]?.payload ?? '');
    expect(msg.ok && msg.value.subject).toBe('herd-0007-sheep');
  });

  it('starts a new batch rather than span more than a day of fix times', () => {
    const { batcher, sealed } = setup();
    batcher.add('pos', fix(0, T));
    batcher.add('pos', fix(1, T + 2 * 86_400_000));
    expect(sealed).toHaveLength(1);
  });

  it('seals items staged before a restart as soon as it starts', () => {
    const store = createMemoryOutbox();
    const before = setup(store);
    before.batcher.add(
      'grazing',
      JSON.stringify({ type: 'water', t: T, pointId: 'wp-0007-1', levelPct: 42 }),
    );
    before.batcher.close(); // power cut: the reading is staged, not yet in a message
    expect(store.stats()).toMatchObject({ count: 0, staged: 1 });
    const after = setup(store);
    after.batcher.start();
    const msg = decode('grazing', after.sealed[0]?.payload ?? '');
    expect(msg.ok && msg.value.readings.map((r) => r.type)).toEqual(['water']);
    expect(store.stats()).toMatchObject({ count: 1, staged: 0 });
  });

  it('drops and counts items that cannot form a valid message instead of retrying forever', () => {
    const { store, batcher, sealed } = setup();
    batcher.add('grazing', JSON.stringify({ type: 'water', t: T, pointId: 'wp-1', levelPct: 420 }));
    batcher.add('grazing', JSON.stringify({ type: 'water', t: T, pointId: 'wp-1', levelPct: 42 }));
    expect(sealed).toHaveLength(0);
    expect(batcher.dropped).toBe(2);
    expect(store.stats().staged).toBe(0);
  });

  it('refuses a stream it has no spec for, naming the known ones', () => {
    const { batcher } = setup();
    expect(() => batcher.add('video', '{}')).toThrow(/known: pos, grazing/);
  });

  it('never throws from a seal when the disk is full: the items stay staged and are sealed later', () => {
    const store = createMemoryOutbox();
    const full = { on: false };
    const commit = store.commitStaged.bind(store);
    store.commitStaged = (stream, upto, entry) => {
      if (full.on) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return commit(stream, upto, entry);
    };
    const { time, batcher, sealed } = setup(store);
    batcher.start();
    batcher.add('pos', fix(0));
    full.on = true;
    expect(() => time.advance(60_000)).not.toThrow(); // the age timer's seal
    expect(() => batcher.add('pos', fix(1))).not.toThrow();
    expect(() => batcher.add('pos', fix(2))).not.toThrow(); // a full batch's seal
    expect(sealed).toHaveLength(0);
    expect(store.stats().staged).toBe(3);
    full.on = false;
    time.advance(10_000);
    expect(sealed).toHaveLength(1);
    const msg = decode('pos', sealed[0]?.payload ?? '');
    if (!msg.ok) throw new Error(msg.error.message);
    expect(msg.value.fixes).toHaveLength(3);
    expect(store.stats().staged).toBe(0);
  });
});
