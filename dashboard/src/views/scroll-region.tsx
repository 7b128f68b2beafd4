import type { ComponentChildren } from 'preact';

/**
 * A table that scrolls sideways when wide (Mongolian columns, a phone): a focusable, named region
 * so keyboard users can scroll it too (axe: scrollable-region-focusable), as the delivery table is.
 */
export function ScrollRegion({ labelledBy, children }: { labelledBy: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls sideways; keyboard users scroll it once it has focus
    <section class="grid-table-wrap" tabIndex={0} aria-labelledby={labelledBy}>
      {children}
    </section>
  );
}
