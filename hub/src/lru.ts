/**
 * A small bounded LRU map (insertion order of a Map is the recency order). Used to cache
 * successful credential checks so a reconnect storm doesn't re-run scrypt for every device, and
 * the registry's point lookups on the SOS path.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  /** entries evicted to stay within `capacity`, since construction */
  evicted = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`Lru capacity must be at least 1, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
      this.evicted++;
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
