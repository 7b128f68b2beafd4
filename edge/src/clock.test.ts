import { describe, expect, it } from 'vitest';
import { TimeSource } from './clock.ts';

const T = 1_764_028_800_000;

describe('TimeSource', () => {
  it('reports no offset and passes the local clock through until GPS time is seen', () => {
    const ts = new TimeSource({ now: () => T });
    expect(ts.offsetMs()).toBeUndefined();
    expect(ts.now()).toBe(T);
  });

  it('takes the least-delayed sample as the offset and corrects now()', () => {
    let local = T + 5_000; // device clock 5 s fast
    const ts = new TimeSource({ now: () => local }, 4);
    ts.observeGps(T, T + 5_900); // read 900 ms late
    ts.observeGps(T + 1_000, T + 6_050); // read 50 ms late
    ts.observeGps(T + 2_000, T + 7_400);
    expect(ts.offsetMs()).toBe(5_050);
    local = T + 10_000;
    expect(ts.now()).toBe(T + 10_000 - 5_050);
  });

  it('forgets old samples so a clock step (NTP) is followed', () => {
    const ts = new TimeSource({ now: () => T }, 2);
    ts.observeGps(T, T - 60_000);
    ts.observeGps(T, T + 100);
    ts.observeGps(T, T + 200);
    expect(ts.offsetMs()).toBe(100);
  });

  it('ignores GPS times that are not plausible epoch ms and clamps a 1970 clock', () => {
    const ts = new TimeSource({ now: () => 5_000 });
    ts.observeGps(0, 5_000);
    ts.observeGps(Number.NaN, 5_000);
    expect(ts.offsetMs()).toBeUndefined();
    expect(ts.now()).toBe(978_307_200_000);
  });

  it('is not moved by one wrong GPS time (a receiver that said 2099), however small its offset', () => {
    const ts = new TimeSource({ now: () => T }, 16);
    for (let i = 0; i < 5; i++) ts.observeGps(T - 300 + i * 1000, T + i * 1000);
    ts.observeGps(Date.UTC(2099, 7, 22), T + 5_000);
    for (let i = 6; i < 9; i++) ts.observeGps(T - 300 + i * 1000, T + i * 1000);
    expect(ts.offsetMs()).toBe(300);
    expect(new Date(ts.now()).getUTCFullYear()).toBe(new Date(T).getUTCFullYear());
  });
});
