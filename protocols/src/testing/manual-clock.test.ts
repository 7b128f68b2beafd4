import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock, ManualTime } from './manual-clock.ts';

describe('manual clocks', () => {
  it('fire every due timer once, in time order then set order, at its own time', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1_000), { maxLength: 30 }), fc.nat(1_200), (delays, step) => {
        const time = new ManualTime(0);
        const fired: { i: number; at: number }[] = [];
        for (const [i, d] of delays.entries()) time.setTimeout(() => fired.push({ i, at: time.now() }), d);
        time.advance(step);
        const due = delays.map((d, i) => ({ i, at: d })).filter((x) => x.at <= step);
        due.sort((a, b) => a.at - b.at || a.i - b.i);
        expect(fired).toEqual(due);
        expect(time.now()).toBe(step);
        expect(time.pending).toBe(delays.length - due.length);
      }),
    );
  });

  it('fires intervals as often as they fall due and forgets cleared timers', async () => {
    const clock = new ManualClock(0);
    let ticks = 0;
    const h = clock.setInterval(() => ticks++, 100);
    const once = clock.setTimeout(() => (ticks += 1_000), 50);
    clock.clearTimeout(once);
    await clock.advance(350);
    expect(ticks).toBe(3);
    expect(clock.nextDelay()).toBe(50);
    clock.clearInterval(h);
    await clock.advance(1_000);
    expect(ticks).toBe(3);
    expect(clock.pending).toBe(0);
  });

  it('lets the async work a timer started settle before the next timer fires', async () => {
    const clock = new ManualClock(0);
    const log: string[] = [];
    clock.setTimeout(async () => {
      await Promise.resolve();
      await new Promise((r) => setImmediate(r));
      log.push('first done');
    }, 10);
    clock.setTimeout(() => log.push('second'), 20);
    await clock.advance(30);
    expect(log).toEqual(['first done', 'second']);
  });

  it('set() moves time without firing', () => {
    const time = new ManualTime(1_000);
    let fired = false;
    time.setTimeout(() => {
      fired = true;
    }, 10);
    time.set(5_000);
    expect(fired).toBe(false);
    time.advance(0);
    expect(fired).toBe(true);
  });
});
