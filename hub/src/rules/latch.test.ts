import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idleLatch, type Level, stepLatch } from './latch.ts';

const timing = { onAfterMs: 10, offAfterMs: 5 };

describe('latch (hysteresis with debounce)', () => {
  it('turns on after being on for onAfterMs, off after off for offAfterMs; hold changes nothing', () => {
    const s = idleLatch(0);
    expect(stepLatch(s, 1, 'on', timing, true)).toBe('pending');
    expect(stepLatch(s, 6, 'hold', timing, true)).toBe(null);
    expect(stepLatch(s, 10, 'on', timing, true)).toBe('pending');
    expect(stepLatch(s, 11, 'on', timing, true)).toBe('raise');
    expect(s).toMatchObject({ active: true, raised: true, activeSince: 11 });
    expect(stepLatch(s, 12, 'off', timing, true)).toBe('pending');
    expect(stepLatch(s, 13, 'on', timing, true)).toBe('reset');
    expect(stepLatch(s, 14, 'off', timing, true)).toBe('pending');
    expect(stepLatch(s, 19, 'off', timing, true)).toBe('clear');
    expect(s).toMatchObject({ active: false, raised: false, pendingSince: null });
  });

  it('turns on silently from a stale observation and raises at the next fresh one', () => {
    const s = idleLatch(0);
    stepLatch(s, 0, 'on', timing, false);
    expect(stepLatch(s, 10, 'on', timing, false)).toBe('silent-on');
    expect(stepLatch(s, 11, 'hold', timing, true)).toBe(null);
    expect(stepLatch(s, 12, 'on', timing, true)).toBe('raise');
  });

  it('ignores observations older than the last one', () => {
    const s = idleLatch(100);
    expect(stepLatch(s, 99, 'on', timing, true)).toBe(null);
    expect(s.pendingSince).toBe(null);
  });

  it('never raises twice without a clear in between, whatever the observations', () => {
    const level = fc.constantFrom<Level>('on', 'off', 'hold');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), level, fc.boolean()), { maxLength: 200 }),
        (steps) => {
          const s = idleLatch(0);
          let t = 0;
          let open = false;
          for (const [dt, l, fresh] of steps) {
            t += dt;
            const e = stepLatch(s, t, l, timing, fresh);
            if (e === 'raise') {
              expect(open).toBe(false);
              open = true;
            }
            if (e === 'clear') {
              expect(open).toBe(true);
              open = false;
            }
            expect(s.raised).toBe(open);
          }
        },
      ),
    );
  });
});
