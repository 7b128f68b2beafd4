import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './keyed-queue.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('KeyedQueue', () => {
  it('runs each key’s work in order and never two of one key at once; keys run side by side', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            key: fc.constantFrom('sos:hh-1', 'sos:hh-2', 'rule:stray-7'),
            waits: fc.nat(3),
            fails: fc.boolean(),
          }),
          {
            maxLength: 30,
          },
        ),
        async (jobs) => {
          const q = new KeyedQueue();
          const running = new Map<string, number>();
          const order = new Map<string, number[]>();
          const done = jobs.map((j, i) =>
            q
              .run(j.key, async () => {
                expect(running.get(j.key) ?? 0).toBe(0);
                running.set(j.key, 1);
                for (let w = 0; w < j.waits; w++) await tick();
                running.set(j.key, 0);
                order.set(j.key, [...(order.get(j.key) ?? []), i]);
                if (j.fails) throw new Error(`job ${i} failed`);
                return i;
              })
              .catch((e: Error) => e.message),
          );
          const results = await Promise.all(done);
          jobs.forEach((j, i) => {
            expect(results[i]).toBe(j.fails ? `job ${i} failed` : i); // a failure stays its own
          });
          for (const [key, seen] of order) {
            const queued = jobs.map((j, i) => (j.key === key ? i : -1)).filter((i) => i >= 0);
            expect(seen).toEqual(queued);
          }
          await q.idle();
          expect(q.size).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('lets another key go ahead while one key waits', async () => {
    const q = new KeyedQueue();
    let release!: () => void;
    const slow = q.run('a', () => new Promise<string>((r) => (release = () => r('a'))));
    const fast = await q.run('b', async () => 'b');
    expect(fast).toBe('b');
    release();
    expect(await slow).toBe('a');
  });
});
