import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { randomBytes } from 'node:crypto';
import { AttemptLimiter } from '../auth/attempt-limiter.ts';
import { AuthGuard } from '../auth/guard.ts';
import type { StandardModules } from '../modules.ts';
import { CredentialStore } from './auth/credentials.ts';
import { loginRoutes } from './auth/login.ts';
import { authenticate } from './auth/middleware.ts';
import { sameOriginWrites } from './auth/origin.ts';
import { resolveAuthOptions } from './auth/options.ts';
import { accountRoutes } from './auth/tokens.ts';
import type { ApiEnv } from './context.ts';
import { type ApiCore, type ApiDeps, apiLimitDefaults } from './deps.ts';
import { apiError } from './errors.ts';
import { apiMetrics } from './metrics.ts';
import { doc, openApiDocument } from './openapi.ts';
import { deadLetterRoutes } from './routes/dead-letters.ts';
import { deviceRoutes } from './routes/devices.ts';
import { healthRoutes, metricsRoutes } from './routes/health.ts';
import { householdRoutes } from './routes/households.ts';
import { mapRoutes } from './routes/map.ts';
import { peopleRoutes } from './routes/people.ts';
import { registryRoutes } from './routes/registry.ts';
import { telemetryRoutes } from './routes/telemetry.ts';
import { unitRoutes } from './routes/units.ts';

export type { ApiDeps } from './deps.ts';

export function createCore(deps: ApiDeps): ApiCore {
  const auth = resolveAuthOptions(deps.auth);
  const limits = { ...apiLimitDefaults, ...deps.limits };
  return {
    ...deps,
    auth,
    limits,
    credentials: new CredentialStore(deps.db, deps.clock, auth),
    // createHub passes the limiter it shares with MQTT CONNECT and a key kept in the data dir
    guard: deps.guard ?? new AuthGuard(new AttemptLimiter(deps.clock, deps.attempts), deps.metrics, deps.log),
    knownClientKey: deps.knownClientKey ?? randomBytes(32),
    apiMetrics: apiMetrics(deps.metrics),
  };
}

/** The authenticated /api app: every route below requires a session or token (deny by default). */
function securedApi(core: ApiCore) {
  const small = bodyLimit({
    maxSize: core.limits.jsonMaxBytes,
    onError: (c) =>
      apiError(c, 413, 'too_large', `request bodies may be at most ${core.limits.jsonMaxBytes} bytes`),
  });
  return new Hono<ApiEnv>()
    .use(authenticate(core))
    .use((c, next) => (c.req.path.endsWith('/registry/import') ? next() : small(c, next)))
    .route('/', accountRoutes(core))
    .route('/', unitRoutes(core))
    .route('/', householdRoutes(core))
    .route('/', deviceRoutes(core))
    .route('/', telemetryRoutes(core))
    .route('/', mapRoutes(core))
    .route('/', deadLetterRoutes(core))
    .route('/', peopleRoutes(core))
    .route('/', registryRoutes(core));
}

/**
 * The hub's HTTP API: public /api/login, /api/logout, /api/health and /metrics; everything else
 * under /api needs a session cookie or a bearer token, and answers only within the caller's
 * units. Hub modules' route sub-apps (`module.routes`) are mounted on the authenticated app.
 */
export function createApi(deps: ApiDeps) {
  const core = createCore(deps);
  const api = securedApi(core);
  for (const m of deps.modules) if (m.routes) api.route('/', m.routes);
  let openapi: Promise<unknown> | undefined;
  const app = new Hono()
    .use(async (c, next) => {
      const start = performance.now();
      await next();
      const route = c.res.status === 404 && routePath(c).endsWith('*') ? 'unmatched' : routePath(c);
      core.apiMetrics.requests.inc({ method: c.req.method, route, status: String(c.res.status) });
      core.apiMetrics.duration.observe({ method: c.req.method, route }, (performance.now() - start) / 1000);
    })
    .use(sameOriginWrites(core.auth))
    .route('/api', loginRoutes(core))
    .route('/api', healthRoutes(core))
    .get(
      '/api/openapi.json',
      doc('health', 'This API as an OpenAPI 3.1 document', { public: true }),
      async (c) => {
        // made once, on first ask: every route is mounted by then (modules' included)
        openapi ??= openApiDocument(app as unknown as Hono, '1.0.0');
        return c.json(await openapi);
      },
    )
    .route('/', metricsRoutes(core))
    .route('/api', api);
  // machine-to-machine routes without a session (e.g. the SMS gateway's signed webhook), outside /api
  for (const m of deps.modules) if (m.publicRoutes) app.route('/', m.publicRoutes);
  app.notFound((c) => apiError(c, 404, 'not_found', `no route ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return apiError(c, err.status as 400, 'bad_request', err.message);
    core.log.error({ err, method: c.req.method, path: c.req.path }, 'API request failed');
    return apiError(c, 500, 'internal', 'the hub failed to answer; the error is in its log');
  });
  return app;
}

/**
 * For the type only (never called): the core app with the standard modules' route sub-apps
 * mounted under /api, as `createApi` mounts `deps.modules` at run time. Built with hono's own
 * `.route()` typing, since inferring a schema back out of an app's type loses parts of it.
 */
const withStandardRoutes = (app: ReturnType<typeof createApi>, m: StandardModules) =>
  app
    .route('/api', m.incidents.routes)
    .route('/api', m.rules.routes)
    .route('/api', m.broadcast.routes)
    .route('/api', m.checkins.routes);

/**
 * The API's type, for a typed client in the dashboard: `hc<AppType>('/')` (import the type only):
 * the core routes and, as the hub runs them (`createStandardModules`), every standard module's
 * routes; a hub started with fewer modules answers 404 for the others.
 */
export type AppType = ReturnType<typeof withStandardRoutes>;
