import { doc } from '../openapi.ts';
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { clientAddress } from '../auth/options.ts';
import { identify } from '../auth/middleware.ts';
import type { ApiCore } from '../deps.ts';
import { apiError } from '../errors.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * GET /api/health — public: the overall state only (503 when down, for load balancers and
 * uptime checks); signed-in callers get the full report (components, queue depths).
 */
export function healthRoutes(core: ApiCore) {
  return new Hono().get(
    '/health',
    doc('health', 'Health of broker, stores, modules and queues', { public: true }),
    (c) => {
      const report = core.health();
      const status = report.state === 'down' ? 503 : 200;
      if (identify(core, c).kind === 'ok') return c.json(report, status);
      return c.json({ state: report.state }, status);
    },
  );
}

/**
 * GET /metrics — Prometheus text. With `auth.metricsToken` set, any client presenting it as a
 * bearer token; without it, loopback clients only (a Prometheus on the hub's machine).
 */
export function metricsRoutes(core: ApiCore) {
  return new Hono().get(
    '/metrics',
    doc('health', 'Prometheus metrics (STEPPELINK_METRICS_TOKEN as bearer, or loopback only)', {
      public: true,
      produces: ['text/plain'],
    }),
    async (c) => {
      const token = core.auth.metricsToken;
      if (token !== undefined) {
        const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
        if (!safeEqual(given, token)) {
          c.header('WWW-Authenticate', 'Bearer realm="steppelink-metrics"');
          return apiError(
            c,
            401,
            'unauthenticated',
            'send the metrics token: Authorization: Bearer <STEPPELINK_METRICS_TOKEN>',
          );
        }
      } else if (!LOOPBACK.has(clientAddress(c, core.auth) ?? '')) {
        return apiError(
          c,
          403,
          'forbidden',
          'metrics answer loopback clients only; set STEPPELINK_METRICS_TOKEN to scrape from elsewhere',
        );
      }
      c.header('Content-Type', core.metrics.contentType);
      return c.body(await core.metrics.metrics(), 200);
    },
  );
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
