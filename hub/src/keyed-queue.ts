/**
 * Runs async work one at a time per key, in the order it was queued; different keys run
 * concurrently. The incident runner queues every event of an incident (by its key) here, so two
 * events of one incident never interleave between their read and their commit, whatever the
 * store underneath; a key's chain is dropped once it runs empty.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const mine = before.then(fn, fn);
    const tail = mine.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }

  /** Resolves when everything queued so far has run. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
