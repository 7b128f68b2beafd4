import { describe, expect, it } from 'vitest';
import { ByteBudget } from './budget.ts';
import { ManualTime } from './testing/manual-time.ts';

describe('ByteBudget', () => {
  it('never holds anything back without a budget', () => {
    const b = new ByteBudget(new ManualTime(), null);
    b.spend(1e9);
    expect(b.waitMs(1e9)).toBe(0);
  });

  it('lets one minute of bytes through, then paces by the refill rate', () => {
    const t = new ManualTime();
    const b = new ByteBudget(t, 6_000); // 100 bytes/s
    expect(b.waitMs(6_000)).toBe(0);
    b.spend(6_000);
    expect(b.waitMs(500)).toBe(5_000);
    t.advance(5_000);
    expect(b.waitMs(500)).toBe(0);
  });

  it('counts SOS bytes against telemetry but keeps the debt to one minute', () => {
    const t = new ManualTime();
    const b = new ByteBudget(t, 6_000);
    b.spend(100_000);
    expect(b.waitMs(600)).toBe(66_000); // from -6000 up to 600
  });

  it('sends an oversized message once the bucket is full', () => {
    const t = new ManualTime();
    const b = new ByteBudget(t, 1_000);
    b.spend(1_000);
    expect(b.waitMs(5_000)).toBe(60_000);
    t.advance(60_000);
    expect(b.waitMs(5_000)).toBe(0);
  });

  it('takes a new budget from a config downlink', () => {
    const t = new ManualTime();
    const b = new ByteBudget(t, null);
    b.setBytesPerMin(600);
    b.spend(600);
    expect(b.waitMs(60)).toBe(6_000);
    b.setBytesPerMin(null);
    expect(b.waitMs(60)).toBe(0);
  });
});
