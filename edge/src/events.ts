/** A small typed event emitter: one listener set per event name, listener errors are reported, not thrown. */
export type Listener<T> = (payload: T) => void;

export class TypedEmitter<E extends Record<string, unknown>> {
  readonly #listeners = new Map<keyof E, Set<Listener<never>>>();
  #onListenerError: (event: string, error: unknown) => void;

  constructor(onListenerError?: (event: string, error: unknown) => void) {
    this.#onListenerError =
      onListenerError ?? ((event, error) => console.error(`listener for ${event} threw`, error));
  }

  /** Where errors thrown by listeners go (default: console.error). */
  protected setListenerErrorHandler(handler: (event: string, error: unknown) => void): void {
    this.#onListenerError = handler;
  }

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    this.#listeners.get(event)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const l of set) {
      try {
        (l as Listener<E[K]>)(payload);
      } catch (error) {
        this.#onListenerError(String(event), error);
      }
    }
  }

  removeAll(): void {
    this.#listeners.clear();
  }
}
