import { useEffect, useState } from 'preact/hooks';

/** Phone-sized screens: the stylesheet's breakpoint (`@media (max-width: 760px)` in base.css). */
export const NARROW_QUERY = '(max-width: 760px)';

/** Whether the screen is phone-sized now; follows rotation and window resizes. */
export function useNarrow(): boolean {
  const mq = globalThis.matchMedia?.(NARROW_QUERY);
  const [narrow, setNarrow] = useState(mq?.matches ?? false);
  useEffect(() => {
    if (!mq) return;
    const onChange = () => setNarrow(mq.matches);
    onChange();
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  return narrow;
}
