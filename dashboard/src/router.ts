import { createStore, useStore } from './store.ts';

/**
 * Hash routes (`#/board/inc-123`): the hub serves one index.html and needs no route list, and a
 * wall screen reloaded by the browser comes back on the same page.
 */
export type Page = 'board' | 'map' | 'devices' | 'stats' | 'broadcast' | 'worker' | 'policies' | 'drills';
export const PAGES: readonly Page[] = [
  'board',
  'map',
  'devices',
  'stats',
  'broadcast',
  'worker',
  'policies',
  'drills',
];

export interface Route {
  page: Page;
  /** Second segment: an incident id on the board, a notice id on broadcast, a drill's incident on drills. */
  id?: string;
}

export function parseHash(hash: string): Route | null {
  const [page, id] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (!page || !(PAGES as readonly string[]).includes(page)) return null;
  return id ? { page: page as Page, id } : { page: page as Page };
}

export function hrefOf(route: Route): string {
  return `#/${route.page}${route.id ? `/${encodeURIComponent(route.id)}` : ''}`;
}

const routeStore = createStore<Route | null>(parseHash(globalThis.location?.hash ?? ''));
globalThis.addEventListener?.('hashchange', () => routeStore.set(parseHash(location.hash)));

export function navigate(route: Route): void {
  location.hash = hrefOf(route);
}

/** The current route; null when the hash names no page (the app picks the person's home page). */
export function useRoute(): Route | null {
  return useStore(routeStore);
}
