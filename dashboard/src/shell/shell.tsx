import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Me } from '../api/session.ts';
import { startLive, stopLive } from '../live/incidents.ts';
import type { Page, Route } from '../router.ts';
import { useT } from '../i18n/index.ts';
import { Board } from '../views/board/board.tsx';
import { Header } from './header.tsx';
import { Nav } from './nav.tsx';

/** Pages loaded on first visit: the map brings Leaflet, the others are small but rarely needed at once. */
const LAZY: Partial<Record<Page, () => Promise<ComponentType<{ me: Me; route: Route }>>>> = {
  map: () => import('../views/map/map-page.tsx').then((m) => m.MapPage),
  devices: () => import('../views/devices.tsx').then((m) => m.Devices),
  stats: () => import('../views/stats.tsx').then((m) => m.Stats),
  broadcast: () => import('../views/broadcast/broadcast.tsx').then((m) => m.Broadcast),
  worker: () => import('../views/worker/worker.tsx').then((m) => m.Worker),
  policies: () => import('../views/policies/policies.tsx').then((m) => m.Policies),
  drills: () => import('../views/drills/drills.tsx').then((m) => m.Drills),
};

function LazyPage({ me, route }: { me: Me; route: Route }) {
  const [loaded, setLoaded] = useState<{ page: Page; C: ComponentType<{ me: Me; route: Route }> } | null>(
    null,
  );
  useEffect(() => {
    const load = LAZY[route.page];
    if (!load || loaded?.page === route.page) return;
    let alive = true;
    load().then((C) => alive && setLoaded({ page: route.page, C }));
    return () => {
      alive = false;
    };
  }, [route.page, loaded?.page]);
  if (!loaded || loaded.page !== route.page) return <div class="splash" />;
  return <loaded.C me={me} route={route} />;
}

/**
 * The first stop for keyboard and screen-reader users: past the header and navigation to the page.
 * A button that moves focus, not a `#main` link: the address hash is the app's route.
 */
function SkipLink() {
  const t = useT();
  return (
    <button type="button" class="skip-link" onClick={() => document.getElementById('main')?.focus()}>
      {t('nav.skip')}
    </button>
  );
}

export function Shell({ me, route }: { me: Me; route: Route }) {
  useEffect(() => {
    startLive();
    return stopLive;
  }, [me.person.id]);
  return (
    <div class={`app page-${route.page}`}>
      <SkipLink />
      <Header me={me} />
      <Nav me={me} page={route.page} />
      <main id="main" tabIndex={-1}>
        {route.page === 'board' ? <Board me={me} route={route} /> : <LazyPage me={me} route={route} />}
      </main>
    </div>
  );
}
