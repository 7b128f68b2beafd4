import { useEffect, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
}

/**
 * Runs `load` when `deps` change (and every `everyMs` if given); keeps the last good data while a
 * reload is under way or fails, so a table doesn't blank on a network hiccup.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null });
  useEffect(() => {
    let alive = true;
    const run = () =>
      load().then(
        (data) => {
          if (alive) setState({ data, error: null });
        },
        (e: Error) => {
          if (alive) setState((s) => ({ data: s.data, error: e.message }));
        },
      );
    void run();
    const timer = everyMs ? setInterval(run, everyMs) : undefined;
    return () => {
      alive = false;
      if (timer) clearInterval(timer);
    };
  }, deps);
  return state;
}
