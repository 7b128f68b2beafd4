import { describe, expect, it } from 'vitest';
import type { Incident } from '../api/incidents.ts';
import { isAlarming, sortIncidents } from './order.ts';

const inc = (id: string, over: Partial<Incident>): Incident => ({
  id,
  source: 'sos',
  category: 'medical',
  severity: 'critical',
  state: 'notified',
  unitId: 'g',
  level: 0,
  nextEscalationAt: null,
  escalations: 0,
  openedAt: 1000,
  updatedAt: 1000,
  ...over,
});

describe('board order', () => {
  it('puts unacknowledged first, then in hand, then closed; by severity, then oldest', () => {
    const list = [
      inc('closed-critical', { state: 'resolved' }),
      inc('acked-critical', { state: 'acknowledged' }),
      inc('new-low-old', { severity: 'low', openedAt: 1 }),
      inc('new-critical-young', { openedAt: 5000 }),
      inc('new-critical-old', { openedAt: 2000, state: 'open' }),
      inc('new-high', { severity: 'high' }),
    ];
    expect(sortIncidents(list).map((i) => i.id)).toEqual([
      'new-critical-old',
      'new-critical-young',
      'new-high',
      'new-low-old',
      'acked-critical',
      'closed-critical',
    ]);
  });

  it('is stable for equal incidents (ties broken by id)', () => {
    const a = inc('a', {});
    const b = inc('b', {});
    expect(sortIncidents([b, a]).map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('alarms for unacknowledged critical and high only', () => {
    expect(isAlarming(inc('x', { severity: 'critical', state: 'open' }))).toBe(true);
    expect(isAlarming(inc('x', { severity: 'high', state: 'notified' }))).toBe(true);
    expect(isAlarming(inc('x', { severity: 'medium', state: 'notified' }))).toBe(false);
    expect(isAlarming(inc('x', { severity: 'critical', state: 'acknowledged' }))).toBe(false);
  });
});
