import { useEffect, useState } from 'preact/hooks';

/** The current time, re-rendering every `everyMs` (countdowns, ages). One timer per component. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
