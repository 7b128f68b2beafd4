import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { dashboardAssetsDir } from '@steppelink/dashboard';
import { Hono } from 'hono';
import type { TileArchive } from './tiles/pmtiles.ts';

/**
 * Serves the built dashboard (dashboard/dist) at `/` next to the API, plus the deployer's local
 * map tiles at `/tiles/{z}/{x}/{y}.png` and the dashboard's run-time configuration at
 * `/dashboard-config.json`. Everything under /api, /metrics and /mqtt goes to the API untouched.
 *
 *   createHub({ ..., app: (deps) => withDashboard(createApi(deps), { tilesDir }) })
 */
export interface DashboardSiteOptions {
  /** The built app; default dashboard/dist of this checkout. */
  assetsDir?: string;
  /** A local tile directory (`{z}/{x}/{y}.{ext}`), e.g. STEPPELINK_TILES_DIR; without it the map has a plain background. */
  tilesDir?: string;
  tiles?: { ext?: 'png' | 'jpg' | 'webp'; maxZoom?: number; attribution?: string };
  /** The operator's PMTiles archive (STEPPELINK_PMTILES, opened with openTileArchive): served at /tiles instead of a folder. */
  tileArchive?: TileArchive;
  /** Where the map opens (default: the Urad border banners). */
  mapCenter?: { lat: number; lon: number; zoom?: number };
}

type Fetch = { fetch: (req: Request, env?: unknown) => Response | Promise<Response> };

const API_PATH = /^\/(api|metrics|mqtt)(\/|$)/;
const ONE_YEAR_S = 31_536_000;
// The app loads nothing from elsewhere: scripts, styles, tiles, SSE and MQTT/WS are all same-origin.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // Leaflet positions map panes with inline styles
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export function dashboardSite(o: DashboardSiteOptions = {}): Hono {
  const assetsDir = o.assetsDir ?? dashboardAssetsDir();
  const ext = o.tiles?.ext ?? 'png';
  const config = {
    map: {
      ...(o.tileArchive
        ? {
            tiles: {
              url: `/tiles/{z}/{x}/{y}.${o.tileArchive.ext}`,
              maxZoom: o.tileArchive.maxZoom,
              attribution: o.tiles?.attribution ?? '',
            },
          }
        : o.tilesDir
          ? {
              tiles: {
                url: `/tiles/{z}/{x}/{y}.${ext}`,
                maxZoom: o.tiles?.maxZoom ?? 14,
                attribution: o.tiles?.attribution ?? '',
              },
            }
          : {}),
      ...(o.mapCenter ? { center: o.mapCenter } : {}),
    },
  };
  const site = new Hono();
  site.use(async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    if (c.res.headers.get('content-type')?.startsWith('text/html')) {
      c.header('Content-Security-Policy', CSP);
      c.header('Cache-Control', 'no-cache'); // a new build is picked up on the next load
    }
  });
  site.get('/dashboard-config.json', (c) => c.json(config));
  if (o.tileArchive) {
    const archive = o.tileArchive;
    site.get('/tiles/:z/:x/:file', async (c) => {
      const [z, x] = [Number(c.req.param('z')), Number(c.req.param('x'))];
      const m = /^(\d+)\.([a-z]+)$/.exec(c.req.param('file'));
      if (!m || m[2] !== archive.ext || !Number.isInteger(z) || !Number.isInteger(x))
        return c.body(null, 404);
      const bytes = await archive.tile(z, x, Number(m[1]));
      if (!bytes) return c.body(null, 404); // outside the archive: Leaflet leaves the basemap showing
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': archive.contentType,
        'Cache-Control': 'public, max-age=86400',
      });
    });
  } else if (o.tilesDir) {
    const tilesDir = o.tilesDir;
    site.get(
      '/tiles/*',
      serveStatic({ root: tilesDir, rewriteRequestPath: (p) => p.slice('/tiles'.length) }),
      (c) => c.body(null, 404),
    );
  }
  site.get(
    '/assets/*',
    async (c, next) => {
      await next();
      // file names carry a content hash: a new build gets new names, so browsers may keep these forever
      if (c.res.status === 200) c.header('Cache-Control', `public, max-age=${ONE_YEAR_S}, immutable`);
    },
    // the build writes brotli and gzip copies beside each script and stylesheet (dashboard/scripts/precompress.ts)
    serveStatic({ root: assetsDir, precompressed: true }),
    (c) => c.body(null, 404), // a missing asset is missing, not the app's index.html
  );
  site.get('*', async (c) => {
    // hash-routed app: every other path gets index.html (read per request: it is tiny and a rebuild shows at once)
    const html = await readFile(join(assetsDir, 'index.html'), 'utf8').catch(() => null);
    if (html === null) {
      return c.text('The dashboard is not built: run `npm run build -w dashboard` (npm start does it).', 503);
    }
    return c.html(html);
  });
  return site;
}

/** Puts the dashboard in front of the API: GET/HEAD outside /api, /metrics and /mqtt are the site's. */
export function withDashboard(api: Fetch, o: DashboardSiteOptions = {}): Fetch {
  const site = dashboardSite(o);
  return {
    // The rest (node-server's env with the socket) goes to the API: /metrics' loopback check and
    // the sign-in rate limit per client address need it.
    fetch(req, env) {
      const { pathname } = new URL(req.url);
      const mine = (req.method === 'GET' || req.method === 'HEAD') && !API_PATH.test(pathname);
      return mine ? site.fetch(req) : api.fetch(req, env);
    },
  };
}
