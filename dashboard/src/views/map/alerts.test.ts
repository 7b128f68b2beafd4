import { describe, expect, it } from 'vitest';
import type { Incident } from '../../api/incidents.ts';
import { mapAlerts } from './alerts.ts';

const inc = (id: string, over: Partial<Incident>): Incident =>
  ({
    id,
    source: 'rule',
    category: 'stray',
    severity: 'medium',
    state: 'notified',
    unitId: 'u',
    level: 0,
    nextEscalationAt: null,
    escalations: 0,
    openedAt: 1,
    updatedAt: 1,
    pos: { lat: 42, lon: 108 },
    ...over,
  }) as Incident;

describe('mapAlerts', () => {
  it('marks open SOS and rule alerts with a position, the SOS drawn last (on top)', () => {
    const list = mapAlerts(
      [
        inc('sos', { source: 'sos', category: 'medical', severity: 'critical' }),
        inc('stray', {}),
        inc('border', { category: 'border-crossing', severity: 'high' }),
        inc('offline', { category: 'device-offline' }),
        inc('nopos', { source: 'sos', category: 'fire', severity: 'critical', pos: undefined }),
        inc('closed', { source: 'sos', category: 'fire', severity: 'critical', state: 'resolved' }),
      ],
      (i) => i.state === 'resolved',
    );
    expect(list.map((i) => i.id)).toEqual(['stray', 'border', 'sos']);
  });
});
