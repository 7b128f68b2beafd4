import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type HubMetrics } from '../metrics.ts';
import { type Db, openDatabase } from '../state/db.ts';
import { ClockSkew, ClockSkewTable } from './clock-skew.ts';

const BOX = 'stb-150824-104-0007';
const T = Date.UTC(2026, 11, 7, 8, 0, 0);
const Y2096 = Date.UTC(2096, 2, 1);
const MIN = 60_000;

describe('ClockSkew', () => {
  let db: Db;
  let metrics: HubMetrics;
  let table: ClockSkewTable;
  let skew: ClockSkew;
  beforeEach(() => {
    db = openDatabase(':memory:');
    metrics = createMetrics({ defaultMetrics: false });
    table = new ClockSkewTable(db);
    skew = new ClockSkew(table, metrics);
  });
  afterEach(() => db.close());

  const futureCount = async (kind: string) =>
    (await metrics.registry.getSingleMetric('steppelink_messages_future_stamped_total')?.get())?.values.find(
      (v) => v.labels.kind === kind,
    )?.value ?? 0;

  it('flags a device on a future-stamped message, keeps what it claimed, counts it by kind', async () => {
    const hb = { ts: Y2096 };
    skew.check('hb', BOX, hb, T);
    skew.check('sos', BOX, { ts: T + 5 * MIN }, T + 1_000);
    skew.flush();
    expect(hb.ts).toBe(T);
    expect(table.flagged([BOX]).get(BOX)).toEqual({
      deviceId: BOX,
      aheadMs: 5 * MIN - 1_000,
      deviceTs: T + 5 * MIN,
      kind: 'sos',
      since: T,
      lastAt: T + 1_000,
      messages: 2,
    });
    expect(await futureCount('hb')).toBe(1);
    expect(await futureCount('sos')).toBe(1);
    expect(skew.flaggedCount).toBe(1);
  });

  it('leaves times within the tolerance and times in the past alone, and flags nobody', async () => {
    const late = { ts: T - 40 * 86_400_000 }; // store-and-forward after a long outage
    const slightlyAhead = { ts: T + 2 * MIN };
    skew.check('hb', BOX, late, T);
    skew.check('hb', BOX, slightlyAhead, T);
    skew.flush();
    expect(late.ts).toBe(T - 40 * 86_400_000);
    expect(slightlyAhead.ts).toBe(T + 2 * MIN);
    expect(table.flagged().size).toBe(0);
    expect(await futureCount('hb')).toBe(0);
  });

  it('clears on a plausible message 10 minutes after the last future-stamped one, not before', () => {
    skew.check('receipt', BOX, { ts: Y2096 }, T);
    skew.check('hb', BOX, { ts: T + 9 * MIN }, T + 9 * MIN);
    skew.flush();
    expect(table.flagged([BOX]).has(BOX)).toBe(true);
    skew.check('hb', BOX, { ts: T + 10 * MIN }, T + 10 * MIN);
    skew.flush();
    expect(table.flagged([BOX]).has(BOX)).toBe(false);
    expect(skew.flaggedCount).toBe(0);
    // a new episode starts afresh
    skew.check('hb', BOX, { ts: Y2096 }, T + 20 * MIN);
    skew.flush();
    expect(table.flagged([BOX]).get(BOX)).toMatchObject({ since: T + 20 * MIN, messages: 1 });
  });

  it('keeps flags across a restart, and clears them from there', () => {
    skew.check('receipt', BOX, { ts: Y2096 }, T);
    skew.flush();
    const again = new ClockSkew(new ClockSkewTable(db), metrics);
    expect(again.flaggedCount).toBe(1);
    again.check('hb', BOX, { ts: T + 11 * MIN }, T + 11 * MIN);
    again.flush();
    expect(table.flagged().size).toBe(0);
  });

  it('counts a future-stamped worker ack but flags no device for a phone', async () => {
    skew.check('worker-ack', 'p-bater', { ts: Y2096 }, T);
    skew.flush();
    expect(table.flagged().size).toBe(0);
    expect(await futureCount('worker-ack')).toBe(1);
  });
});
