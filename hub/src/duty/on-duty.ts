import { instantAt, localDay, parseClock, parseDay } from './tz.ts';

/** A rotation as the duty code uses it (times already parsed). */
export interface Rotation {
  unit: string;
  role: string;
  /** Days per shift: 1 for daily, 7 for weekly. */
  shiftDays: number;
  /** Handover, minutes after local midnight. */
  handoverMin: number;
  /** Civil day number (days since 1970-01-01) on which members[0]'s first shift starts. */
  startDay: number;
  members: readonly string[];
  perShift: number;
  timeZone: string;
}

export interface Override {
  id: string;
  unit: string;
  role: string;
  kind: 'leave' | 'cover' | 'swap';
  person: string;
  /** cover: the person replaced (optional); swap: the partner. */
  other: string | null;
  /** Active for from <= t < to (epoch ms). */
  from: number;
  to: number;
  note: string | null;
}

export interface Shift {
  /** Shift number since the rotation's start (negative before it). */
  index: number;
  start: number;
  end: number;
  members: string[];
}

export interface DutyAnswer {
  people: string[];
  /** Set when `people` is empty: why nobody is on duty (recorded when routing skips the level). */
  reason?: string;
  shift?: Shift;
  /** Overrides that changed the answer. */
  applied: string[];
}

export function rotationFromInput(
  r: {
    unit: string;
    role: string;
    period: 'daily' | 'weekly';
    handover: string;
    startDate: string;
    members: readonly string[];
    perShift?: number;
    timeZone?: string;
  },
  defaultTimeZone: string,
): Rotation {
  return {
    unit: r.unit,
    role: r.role,
    shiftDays: r.period === 'weekly' ? 7 : 1,
    handoverMin: parseClock(r.handover),
    startDay: parseDay(r.startDate),
    members: [...r.members],
    perShift: r.perShift ?? 1,
    timeZone: r.timeZone ?? defaultTimeZone,
  };
}

const handoverOn = (r: Rotation, day: number) => instantAt(day, r.handoverMin, r.timeZone);

/** The shift of `r` that contains instant `t`: start <= t < end, boundaries at local handover time. */
export function shiftAt(r: Rotation, t: number): Shift {
  let day = localDay(t, r.timeZone);
  if (t < handoverOn(r, day)) day -= 1;
  const index = Math.floor((day - r.startDay) / r.shiftDays);
  const firstDay = r.startDay + index * r.shiftDays;
  const n = r.members.length;
  const members: string[] = [];
  for (let j = 0; j < Math.min(r.perShift, n); j++) {
    const m = r.members[(((index * r.perShift + j) % n) + n) % n];
    if (m !== undefined) members.push(m);
  }
  return {
    index,
    start: handoverOn(r, firstDay),
    end: handoverOn(r, firstDay + r.shiftDays),
    members,
  };
}

/**
 * Who is on duty for one unit and role at instant `t`: the rotation's shift (or, with no
 * rotation, everyone holding the role there), then swaps, covers and leave, in that order.
 * Pure: the same inputs always give the same answer.
 */
export function whoIsOnDuty(
  input: { rotation?: Rotation; overrides: readonly Override[]; holders: readonly string[] },
  t: number,
): DutyAnswer {
  const shift = input.rotation ? shiftAt(input.rotation, t) : undefined;
  let people = shift ? [...shift.members] : [...input.holders];
  const applied: string[] = [];
  const active = input.overrides.filter((o) => o.from <= t && t < o.to);
  const byKind = (k: Override['kind']) => active.filter((o) => o.kind === k);

  for (const o of byKind('swap')) {
    if (o.other === null) continue;
    const a = o.person;
    const b = o.other;
    if (people.includes(a) || people.includes(b)) {
      people = people.map((p) => (p === a ? b : p === b ? a : p));
      applied.push(o.id);
    }
  }
  for (const o of byKind('cover')) {
    if (o.other !== null) people = people.filter((p) => p !== o.other);
    people.push(o.person);
    applied.push(o.id);
  }
  const onLeave: string[] = [];
  for (const o of byKind('leave')) {
    if (people.includes(o.person)) {
      people = people.filter((p) => p !== o.person);
      onLeave.push(o.person);
      applied.push(o.id);
    }
  }
  people = [...new Set(people)];
  const answer: DutyAnswer = { people, applied };
  if (shift) answer.shift = shift;
  if (people.length === 0) {
    if (onLeave.length > 0) answer.reason = `on leave with no cover: ${onLeave.join(', ')}`;
    else if (!input.rotation) answer.reason = 'nobody holds this role here';
    else answer.reason = 'the rotation has nobody on this shift';
  }
  return answer;
}
