/**
 * Entries ordered by increasing `seq`, with O(log n) lookup by seq, O(1) amortised removal of
 * the oldest, and iteration from any seq. Removed entries leave a hole that is compacted away.
 */
export class SeqQueue<T extends { seq: number }> {
  #seqs: number[] = [];
  #items: (T | undefined)[] = [];
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Appends; `item.seq` must be larger than every seq pushed before. */
  push(item: T): void {
    this.#seqs.push(item.seq);
    this.#items.push(item);
    this.#size++;
  }

  /** First index whose seq is > seq (or >= when inclusive). */
  #bound(seq: number, inclusive: boolean): number {
    let lo = this.#head;
    let hi = this.#seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.#seqs[mid] ?? 0;
      if (s < seq || (!inclusive && s === seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  delete(seq: number): T | undefined {
    const i = this.#bound(seq, true);
    if (this.#seqs[i] !== seq) return undefined;
    const item = this.#items[i];
    if (item === undefined) return undefined;
    this.#items[i] = undefined;
    this.#size--;
    while (this.#head < this.#items.length && this.#items[this.#head] === undefined) this.#head++;
    this.#compact();
    return item;
  }

  oldest(): T | undefined {
    return this.#items[this.#head];
  }

  /** Items with seq > afterSeq (all items when undefined), oldest first. */
  *after(afterSeq?: number): Generator<T> {
    const start = afterSeq === undefined ? this.#head : this.#bound(afterSeq, false);
    for (let i = start; i < this.#items.length; i++) {
      const item = this.#items[i];
      if (item !== undefined) yield item;
    }
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#seqs = [];
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#seqs = this.#seqs.slice(this.#head);
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
