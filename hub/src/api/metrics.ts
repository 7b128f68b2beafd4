import { Counter, Histogram, type Registry } from 'prom-client';

export interface ApiMetrics {
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
  loginFailures: Counter<'reason'>;
}

/** The API's own metrics, registered once per registry (a second createApi reuses them). */
export function apiMetrics(registry: Registry): ApiMetrics {
  const reuse = <T>(name: string, make: () => T): T =>
    (registry.getSingleMetric(name) as T | undefined) ?? make();
  return {
    requests: reuse(
      'steppelink_http_requests_total',
      () =>
        new Counter({
          name: 'steppelink_http_requests_total',
          help: 'HTTP requests answered, by route pattern and status',
          labelNames: ['method', 'route', 'status'] as const,
          registers: [registry],
        }),
    ),
    duration: reuse(
      'steppelink_http_request_duration_seconds',
      () =>
        new Histogram({
          name: 'steppelink_http_request_duration_seconds',
          help: 'Time to answer an HTTP request, by route pattern',
          labelNames: ['method', 'route'] as const,
          buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
          registers: [registry],
        }),
    ),
    loginFailures: reuse(
      'steppelink_login_failures_total',
      () =>
        new Counter({
          name: 'steppelink_login_failures_total',
          help: 'Refused logins by reason (bad_credentials, rate_limited)',
          labelNames: ['reason'] as const,
          registers: [registry],
        }),
    ),
  };
}
