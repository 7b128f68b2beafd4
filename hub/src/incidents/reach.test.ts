import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { levelReach, type ReachRow } from './reach.ts';

const STATUSES = [
  'pending',
  'retry',
  'held',
  'queued',
  'delivered',
  'no-listener',
  'not-needed',
  'failed',
] as const;
const FALLBACK = 15_000;
const NOW = 1_764_028_800_000;

const row = fc.record({
  person: fc.constantFrom('p-bater', 'p-saren', 'p-nara'),
  channel: fc.constantFrom('mqtt' as const, 'webhook' as const, 'stream' as const),
  status: fc.constantFrom(...STATUSES),
  createdAt: fc.integer({ min: NOW - 60_000, max: NOW }),
});

describe('levelReach', () => {
  it('is reached exactly when some row was delivered', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), (rows: ReachRow[]) => {
        const r = levelReach(rows, NOW, FALLBACK);
        expect(r.state === 'reached').toBe(rows.some((x) => x.status === 'delivered'));
        if (r.state === 'reached') {
          expect(new Set(r.people)).toEqual(
            new Set(rows.filter((x) => x.status === 'delivered').map((x) => x.person)),
          );
        }
      }),
    );
  });

  it('is unreachable only when nothing was delivered and nothing can still deliver', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), (rows: ReachRow[]) => {
        const r = levelReach(rows, NOW, FALLBACK);
        const inFlight = rows.some(
          (x) =>
            ['pending', 'retry', 'held'].includes(x.status) ||
            (x.status === 'queued' && x.createdAt + FALLBACK > NOW),
        );
        if (r.state === 'unreachable') {
          expect(inFlight).toBe(false);
          // everybody paged is listed with every channel tried
          expect(r.people.map((p) => p.person).sort()).toEqual(
            [...new Set(rows.map((x) => x.person))].sort(),
          );
          expect(r.people.flatMap((p) => p.channels)).toHaveLength(rows.length);
        }
        if (r.state === 'pending') {
          expect(inFlight).toBe(true);
          // the next look is due when the first queued app page becomes overdue, never in the past
          if (r.until !== null) expect(r.until).toBeGreaterThan(NOW);
        }
      }),
    );
  });

  it('gives a queued app page the fallback time, and no more', () => {
    const rows: ReachRow[] = [{ person: 'p-bater', channel: 'mqtt', status: 'queued', createdAt: NOW }];
    expect(levelReach(rows, NOW + FALLBACK - 1, FALLBACK)).toEqual({
      state: 'pending',
      until: NOW + FALLBACK,
    });
    expect(levelReach(rows, NOW + FALLBACK, FALLBACK)).toMatchObject({ state: 'unreachable' });
    expect(levelReach([], NOW, FALLBACK)).toEqual({ state: 'unreachable', people: [] });
  });
});
