import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DELIVERY_STATUSES, type Delivery } from '../../api/deliveries.ts';
import { deliverySummary } from './delivery-summary.ts';

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

describe('deliverySummary', () => {
  it("counts each person's latest record per channel; a reminder replaces its page; box acks left out", () => {
    expect(
      deliverySummary([
        row({ channel: 'mqtt', status: 'queued' }),
        row({ channel: 'webhook', status: 'held' }),
        row({ channel: 'stream', status: 'no-listener' }),
        row({ person: 'p-wuyun', personName: '乌云', channel: 'mqtt', status: 'no-listener' }),
        row({ channel: 'mqtt', status: 'delivered', reminder: 1 }), // bater's app page, reminded and delivered
        row({
          kind: 'sos-ack',
          person: null,
          level: null,
          reminder: null,
          device: 'stb-150824-104-0007',
          channel: 'device',
          status: 'failed',
        }),
      ]),
    ).toEqual([
      { status: 'held', n: 1 },
      { status: 'delivered', n: 1 },
      { status: 'no-listener', n: 2 },
    ]);
  });

  it('the same person at two levels counts twice; nothing paged is an empty summary', () => {
    expect(deliverySummary([])).toEqual([]);
    expect(
      deliverySummary([row({ level: 0, status: 'delivered' }), row({ level: 1, status: 'delivered' })]),
    ).toEqual([{ status: 'delivered', n: 2 }]);
  });

  it('counts add up to the distinct person-level-channel triples, in status order', () => {
    const arb = fc.array(
      fc.record({
        person: fc.constantFrom('p-bater', 'p-wuyun', 'p-saren'),
        level: fc.integer({ min: 0, max: 2 }),
        channel: fc.constantFrom('mqtt', 'webhook', 'stream') as fc.Arbitrary<Delivery['channel']>,
        status: fc.constantFrom(...DELIVERY_STATUSES),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(arb, (rs) => {
        const s = deliverySummary(rs.map((r) => row(r)));
        const triples = new Set(rs.map((r) => `${r.person}/${r.level}/${r.channel}`));
        expect(s.reduce((a, x) => a + x.n, 0)).toBe(triples.size);
        const order = s.map((x) => DELIVERY_STATUSES.indexOf(x.status));
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }),
    );
  });
});
