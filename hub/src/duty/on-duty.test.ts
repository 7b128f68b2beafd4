import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Override, type Rotation, rotationFromInput, shiftAt, whoIsOnDuty } from './on-duty.ts';
import { localTime, parseDay } from './tz.ts';

const GRID = '150824-104-007-03';
const cst = (iso: string) => Date.parse(`${iso}+08:00`);
const daily: Rotation = rotationFromInput(
  {
    unit: GRID,
    role: 'grid-worker',
    period: 'daily',
    handover: '08:00',
    startDate: '2025-11-24',
    members: ['p-bater', 'p-aodeng', 'p-menghe'],
  },
  'Asia/Shanghai',
);
const leave = (o: Partial<Override> & Pick<Override, 'kind' | 'person' | 'from' | 'to'>): Override => ({
  id: `ovr-${o.kind}-${o.person}`,
  unit: GRID,
  role: 'grid-worker',
  other: null,
  note: null,
  ...o,
});

describe('shiftAt', () => {
  it('hands over at 08:00 Beijing time, not at midnight or UTC midnight', () => {
    expect(shiftAt(daily, cst('2025-11-24T07:59:59')).members).toEqual(['p-menghe']);
    expect(shiftAt(daily, cst('2025-11-24T08:00:00')).members).toEqual(['p-bater']);
    expect(shiftAt(daily, cst('2025-11-25T00:30:00')).members).toEqual(['p-bater']);
    expect(shiftAt(daily, cst('2025-11-25T08:00:00')).members).toEqual(['p-aodeng']);
    expect(shiftAt(daily, cst('2025-11-27T08:00:00')).members).toEqual(['p-bater']);
    const s = shiftAt(daily, cst('2025-11-25T12:00:00'));
    expect([s.start, s.end]).toEqual([cst('2025-11-25T08:00:00'), cst('2025-11-26T08:00:00')]);
  });

  it('runs weekly shifts from the start date weekday', () => {
    const weekly = { ...daily, shiftDays: 7, members: ['p-wuyun', 'p-erdun'] };
    expect(shiftAt(weekly, cst('2025-11-30T20:00:00')).members).toEqual(['p-wuyun']);
    expect(shiftAt(weekly, cst('2025-12-01T07:59:00')).members).toEqual(['p-wuyun']);
    expect(shiftAt(weekly, cst('2025-12-01T08:00:00')).members).toEqual(['p-erdun']);
  });

  it('puts perShift consecutive members on together', () => {
    const pairs = { ...daily, perShift: 2, members: ['a', 'b', 'c', 'd'] };
    expect(shiftAt(pairs, cst('2025-11-24T09:00:00')).members).toEqual(['a', 'b']);
    expect(shiftAt(pairs, cst('2025-11-25T09:00:00')).members).toEqual(['c', 'd']);
  });

  it('tiles time with no gaps or overlaps in any zone (property)', () => {
    const zones = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom(1, 7),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: parseDay('2023-01-01'), max: parseDay('2027-01-01') }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: Date.UTC(2022, 0, 1), max: Date.UTC(2028, 0, 1) }),
        (tz, shiftDays, handoverMin, startDay, n, t) => {
          const r: Rotation = {
            ...daily,
            timeZone: tz,
            shiftDays,
            handoverMin,
            startDay,
            members: Array.from({ length: n }, (_, i) => `m${i}`),
          };
          const s = shiftAt(r, t);
          expect(s.start).toBeLessThanOrEqual(t);
          expect(t).toBeLessThan(s.end);
          expect(shiftAt(r, s.start).index).toBe(s.index);
          expect(shiftAt(r, s.end - 1).index).toBe(s.index);
          expect(shiftAt(r, s.end).index).toBe(s.index + 1);
          expect(shiftAt(r, s.start - 1).index).toBe(s.index - 1);
          expect(s.members).toEqual([`m${((s.index % n) + n) % n}`]);
          if (tz === 'Asia/Shanghai') {
            expect(s.end - s.start).toBe(shiftDays * 86_400_000);
            const l = localTime(s.start, tz);
            expect(l.hh * 60 + l.mm).toBe(handoverMin);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('whoIsOnDuty', () => {
  const at = cst('2025-11-25T10:00:00'); // p-aodeng's shift
  const from = cst('2025-11-25T00:00:00');
  const to = cst('2025-11-26T00:00:00');

  it('without a rotation, everyone holding the role is on duty', () => {
    expect(whoIsOnDuty({ overrides: [], holders: ['p-bater'] }, at)).toMatchObject({ people: ['p-bater'] });
    expect(whoIsOnDuty({ overrides: [], holders: [] }, at)).toMatchObject({
      people: [],
      reason: 'nobody holds this role here',
    });
  });

  it('leave without cover leaves the level empty and says why', () => {
    const a = whoIsOnDuty(
      { rotation: daily, overrides: [leave({ kind: 'leave', person: 'p-aodeng', from, to })], holders: [] },
      at,
    );
    expect(a.people).toEqual([]);
    expect(a.reason).toBe('on leave with no cover: p-aodeng');
  });

  it('a cover replaces the named person; a swap trades places', () => {
    const cover = leave({ kind: 'cover', person: 'p-wuyun', other: 'p-aodeng', from, to });
    expect(whoIsOnDuty({ rotation: daily, overrides: [cover], holders: [] }, at).people).toEqual(['p-wuyun']);
    const swap = leave({ kind: 'swap', person: 'p-bater', other: 'p-aodeng', from, to });
    expect(whoIsOnDuty({ rotation: daily, overrides: [swap], holders: [] }, at).people).toEqual(['p-bater']);
    // Outside its range an override changes nothing.
    expect(
      whoIsOnDuty({ rotation: daily, overrides: [swap], holders: [] }, cst('2025-11-26T09:00:00')).people,
    ).toEqual(['p-menghe']);
  });
});
