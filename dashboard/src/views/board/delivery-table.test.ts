import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../api/deliveries.ts';
import { deliveryTable } from './delivery-table.ts';

const row = (d: Partial<Delivery>): Delivery => ({
  kind: 'alert',
  level: 0,
  reminder: 0,
  person: 'p-bater',
  personName: '巴特尔',
  device: null,
  channel: 'mqtt',
  status: 'queued',
  attempts: 1,
  lastError: null,
  createdAt: 100,
  updatedAt: 100,
  deliveredAt: null,
  ...d,
});
const chain = [{ role: 'grid-worker' }, { role: 'grid-leader' }, { role: 'village-secretary' }];
const names = { 'p-bater': '巴特尔', 'p-wuyun': '乌云' };

describe('deliveryTable', () => {
  it('groups people by level with the latest record per channel, then the household box', () => {
    const t = deliveryTable(
      [
        row({
          kind: 'sos-ack',
          person: null,
          level: null,
          reminder: null,
          device: 'stb-1',
          channel: 'device',
          status: 'delivered',
          deliveredAt: 100,
        }),
        row({ channel: 'mqtt', status: 'delivered', deliveredAt: 105, updatedAt: 110 }),
        row({ channel: 'webhook', status: 'held' }),
        row({ channel: 'stream', status: 'no-listener', updatedAt: 101 }),
        row({ reminder: 1, channel: 'mqtt', status: 'queued', updatedAt: 200 }),
        row({ reminder: 1, channel: 'webhook', status: 'not-needed', updatedAt: 201 }),
        row({ level: 1, person: 'p-wuyun', channel: 'mqtt', status: 'no-listener', updatedAt: 300 }),
        row({
          level: 2,
          person: 'p-erdun',
          channel: 'webhook',
          status: 'failed',
          lastError: 'HTTP 500',
          attempts: 5,
        }),
        row({
          kind: 'sos-ack',
          person: null,
          level: null,
          reminder: null,
          device: 'stb-1',
          channel: 'device',
          status: 'queued',
          updatedAt: 400,
        }),
        row({ kind: 'closing', channel: 'mqtt', status: 'failed' }),
      ],
      { chain, names, timeline: [] },
    );
    expect(t.levels.map((g) => [g.level, g.role, g.people.map((p) => p.name)])).toEqual([
      [0, 'grid-worker', ['巴特尔']],
      [1, 'grid-leader', ['乌云']],
      [2, 'village-secretary', ['p-erdun']], // no name known: the id
    ]);
    const bater = t.levels[0]!.people[0]!;
    expect(bater.cells.mqtt).toMatchObject({ status: 'queued', at: 200, reminder: 1 }); // the reminder's record is the latest
    expect(bater.cells.webhook).toMatchObject({ status: 'not-needed', at: 201 });
    expect(bater.cells.stream).toMatchObject({ status: 'no-listener', at: 101 });
    expect(t.levels[2]!.people[0]!.cells.webhook).toMatchObject({
      status: 'failed',
      lastError: 'HTTP 500',
      attempts: 5,
    });
    expect(t.levels[2]!.people[0]!.cells.mqtt).toBeUndefined();
    expect(t.boxes).toEqual([
      { device: 'stb-1', sent: 2, cell: expect.objectContaining({ status: 'queued', at: 400 }) },
    ]);
  });

  it('a delivered record shows when it was delivered', () => {
    const t = deliveryTable([row({ status: 'delivered', deliveredAt: 105, updatedAt: 190 })], {
      chain,
      names,
      timeline: [],
    });
    expect(t.levels[0]!.people[0]!.cells.mqtt!.at).toBe(105);
  });

  it('marks who acknowledged and who declined at which level', () => {
    const t = deliveryTable(
      [row({}), row({ level: 1, person: 'p-wuyun' }), row({ level: 2, person: 'p-bater' })],
      {
        chain,
        names,
        ackById: 'p-wuyun',
        timeline: [{ at: 150, type: 'declined', level: 0, by: { id: 'p-bater', name: '巴特尔' } }],
      },
    );
    expect(t.levels.map((g) => g.people[0]!.response)).toEqual(['declined', 'acknowledged', null]);
  });
});
