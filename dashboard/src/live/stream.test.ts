import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStream, type StreamState } from './stream.ts';

/** A scriptable EventSource: the test opens, fails and feeds it. */
class FakeSource {
  static all: FakeSource[] = [];
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  private listeners = new Map<string, ((e: MessageEvent) => void)[]>();
  constructor(readonly url: string) {
    FakeSource.all.push(this);
  }
  addEventListener(name: string, fn: (e: MessageEvent) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
  }
  close() {
    this.closed = true;
  }
  emit(name: string, data: string) {
    for (const fn of this.listeners.get(name) ?? []) fn({ data } as MessageEvent);
  }
}

const latest = () => FakeSource.all.at(-1)!;

describe('live stream', () => {
  beforeEach(() => {
    FakeSource.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  const start = () => {
    const states: StreamState[] = [];
    const events: [string, unknown][] = [];
    let opens = 0;
    const s = openStream({
      url: '/api/incidents/stream',
      events: ['incident'],
      onEvent: (n, d) => events.push([n, d]),
      onState: (st) => states.push(st),
      onOpen: () => opens++,
      eventSource: (u) => new FakeSource(u) as unknown as EventSource,
      random: () => 0.5,
      minDelayMs: 1000,
      maxDelayMs: 8000,
      silenceMs: 45_000,
    });
    return { s, states, events, opens: () => opens };
  };

  it('goes live on open, parses JSON events, and refetches after each (re)connect', () => {
    const { s, states, events, opens } = start();
    expect(s.state).toBe('connecting');
    latest().onopen?.();
    expect(s.state).toBe('live');
    latest().emit('incident', '{"id":"inc-1"}');
    expect(events).toEqual([['incident', { id: 'inc-1' }]]);
    expect(opens()).toBe(1);
    expect(states).toEqual(['live']);
  });

  it('is stale after a drop and reconnects with growing, jittered delays, reset once live', () => {
    const { s, states, opens } = start();
    latest().onopen?.();
    latest().onerror?.();
    expect(s.state).toBe('stale');
    expect(FakeSource.all).toHaveLength(1);
    // first retry: base 1000 ms, equal jitter with random 0.5 → 750 ms
    vi.advanceTimersByTime(749);
    expect(FakeSource.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSource.all).toHaveLength(2);
    latest().onerror?.(); // refused again: base 2000 → 1500 ms
    vi.advanceTimersByTime(1499);
    expect(FakeSource.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSource.all).toHaveLength(3);
    latest().onopen?.();
    expect(s.state).toBe('live');
    expect(opens()).toBe(2); // the caller reloads what it missed
    latest().onerror?.(); // a new drop starts from the smallest delay again
    vi.advanceTimersByTime(750);
    expect(FakeSource.all).toHaveLength(4);
    expect(states).toEqual(['live', 'stale', 'live', 'stale']);
    expect(FakeSource.all.slice(0, 3).every((f) => f.closed)).toBe(true);
  });

  it('caps the delay', () => {
    const { s } = start();
    for (let i = 0; i < 10; i++) {
      latest().onerror?.();
      vi.advanceTimersByTime(8000);
    }
    expect(s.state).toBe('stale');
    const n = FakeSource.all.length;
    latest().onerror?.();
    vi.advanceTimersByTime(6000); // 8000 cap with jitter 0.5 → 6000
    expect(FakeSource.all.length).toBe(n + 1);
  });

  it('treats silence after pings as a dead connection', () => {
    const { s } = start();
    latest().onopen?.();
    vi.advanceTimersByTime(100_000);
    expect(s.state).toBe('live'); // no pings seen: silence is normal
    latest().emit('ping', '');
    vi.advanceTimersByTime(44_999);
    expect(s.state).toBe('live');
    vi.advanceTimersByTime(1);
    expect(s.state).toBe('stale');
  });

  it('stops for good on close', () => {
    const { s } = start();
    s.close();
    latest().onerror?.();
    vi.advanceTimersByTime(60_000);
    expect(FakeSource.all).toHaveLength(1);
    expect(s.state).toBe('closed');
  });
});
