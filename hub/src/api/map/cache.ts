import type { Clock } from '../../clock.ts';
import { Lru } from '../../lru.ts';

/**
 * Map indexes built per scope (the set of units a person sees) and kept a short while: building
 * one costs milliseconds to a second for a league, answering from it microseconds. Bounded by
 * `capacity` scopes; each entry is rebuilt after `ttlMs` so registry edits and new positions
 * show up without a restart.
 */
export class ScopeCache<V> {
  private readonly lru: Lru<string, { at: number; value: V }>;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    capacity = 16, // a hub serves a handful of scopes at once: the league, its banners, a few sumus
  ) {
    this.lru = new Lru(capacity);
  }

  get(units: readonly string[], build: () => V): V {
    const key =
      units.length <= 8 ? units.join(',') : `${units.length}:${units[0]}:${units.at(-1)}:${hash(units)}`;
    const hit = this.lru.get(key);
    const now = this.clock.now();
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = build();
    this.lru.set(key, { at: now, value });
    return value;
  }
}

function hash(items: readonly string[]): number {
  let h = 2166136261;
  for (const s of items)
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
