import { describe, expect, it } from 'vitest';
import { Lru } from './lru.ts';

describe('Lru', () => {
  it('evicts the least recently used entry past its capacity and counts it', () => {
    const lru = new Lru<string, number>(2);
    lru.set('stb-150824-104-0007', 1);
    lru.set('stb-150824-104-0008', 2);
    expect(lru.get('stb-150824-104-0007')).toBe(1); // now the most recent
    lru.set('trk-patrol-150825-03', 3);
    expect(lru.get('stb-150824-104-0008')).toBeUndefined();
    expect(lru.get('stb-150824-104-0007')).toBe(1);
    expect(lru.size).toBe(2);
    expect(lru.evicted).toBe(1);
  });
  it('refuses a capacity below one with a sentence saying so', () => {
    expect(() => new Lru(0)).toThrow(/at least 1/);
  });
});
