import type { Page } from 'playwright-core';

/**
 * How the page sets its traditional Mongolian text: every visible piece of Mongolian-script text
 * that is not top-to-bottom (`writing-mode: vertical-lr`), and every piece cut off by an ancestor
 * that hides overflow or covered by another element (the board's last column under the detail).
 * Form controls (select options, typed text) and the map's own canvas labels are left out: the
 * browser draws those.
 */
export interface MongolianLayout {
  /** Elements with Mongolian text laid out horizontally (glyphs turned sideways). */
  sideways: string[];
  /** Elements whose Mongolian text is clipped by an overflow-hiding ancestor or the viewport's width. */
  clipped: string[];
  /** Elements whose Mongolian text is under another element. */
  covered: string[];
  /** How many elements with Mongolian text were looked at. */
  checked: number;
}

export function mongolianLayout(page: Page, root = 'main'): Promise<MongolianLayout> {
  return textLayout(page, { root, script: 'mongolian' });
}

/**
 * The same checks for the text of any script (`script: 'any'`: zh and en pages too): what is
 * clipped by an overflow-hiding ancestor or covered by another element; `sideways` is only
 * looked for in Mongolian (whose lines must run top to bottom).
 */
export function textLayout(
  page: Page,
  o: { root?: string; script: 'mongolian' | 'any' },
): Promise<MongolianLayout> {
  return page.evaluate(
    ([rootSel, script]) => {
      const MONG = script === 'mongolian' ? /[\u1800-\u18AF]/ : /[\p{L}\p{N}]/u;
      const SKIP = 'option, select, textarea, input, .sr, .leaflet-container, [aria-hidden="true"]';
      const out = { sideways: [] as string[], clipped: [] as string[], covered: [] as string[], checked: 0 };
      const rootEl = document.querySelector(rootSel);
      if (!rootEl) return out;
      const seen = new Set<Element>();
      const name = (el: Element) =>
        `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 24)}"`;
      const walker = document.createTreeWalker(rootEl, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || seen.has(el) || !MONG.test(n.textContent ?? '') || el.closest(SKIP)) continue;
        seen.add(el);
        const range = document.createRange();
        range.selectNodeContents(n);
        const r = range.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue; // not shown
        out.checked++;
        if (script === 'mongolian' && getComputedStyle(el).writingMode !== 'vertical-lr')
          out.sideways.push(name(el));
        // clipped: inside an ancestor that hides what overflows (scrollable ones let the reader scroll)
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
          const cs = getComputedStyle(a);
          const hides = [cs.overflowX, cs.overflowY].some((o) => o === 'hidden' || o === 'clip');
          const scrolls = [cs.overflowX, cs.overflowY].some((o) => o === 'auto' || o === 'scroll');
          if (hides) {
            const b = a.getBoundingClientRect();
            if (
              r.left < b.left - 1 ||
              r.right > b.right + 1 ||
              r.top < b.top - 1 ||
              r.bottom > b.bottom + 1
            ) {
              out.clipped.push(name(el));
              break;
            }
          }
          if (scrolls) break;
        }
        // covered: the middle of the text, when on screen, belongs to this element's own subtree
        const cx = (r.left + r.right) / 2;
        const cy = (r.top + r.bottom) / 2;
        if (cx >= 0 && cy >= 0 && cx < innerWidth && cy < innerHeight) {
          const hit = document.elementFromPoint(cx, cy);
          // (a sticky or fixed bar, such as the phone's bottom navigation, scrolls off the content)
          const pinned = (e: Element | null): boolean =>
            !!e && (['sticky', 'fixed'].includes(getComputedStyle(e).position) || pinned(e.parentElement));
          if (hit && !el.contains(hit) && !hit.contains(el) && !pinned(hit)) {
            out.covered.push(`${name(el)} under ${name(hit)}`);
          }
        }
      }
      return out;
    },
    [o.root ?? 'main', o.script] as const,
  );
}
