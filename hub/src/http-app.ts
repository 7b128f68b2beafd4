import { Hono } from 'hono';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Clock } from './clock.ts';
import type { HubModule } from './context.ts';
import type { HubEvents } from './events.ts';
import type { Logger } from './log.ts';
import type { DeadLetterReader, HealthReport, PresenceReader } from './ports.ts';
import type { RegistryStore } from './registry/store.ts';
import type { Db } from './state/db.ts';
import type { TelemetryStore } from './telemetry/port.ts';

export interface HttpAppDeps {
  registry: RegistryStore;
  telemetry: TelemetryStore;
  db: Db;
  presence: PresenceReader;
  deadLetters: DeadLetterReader;
  health: () => HealthReport;
  metrics: MetricsRegistry;
  modules: HubModule[];
  clock: Clock;
  log: Logger;
  events: HubEvents;
}

/** The hub's HTTP app: health and Prometheus metrics (the full API mounts here once present). */
export function createHttpApp(d: HttpAppDeps): { fetch: (req: Request) => Response | Promise<Response> } {
  const app = new Hono();
  app.get('/api/health', (c) => {
    const h = d.health();
    return c.json(h, h.state === 'down' ? 503 : 200);
  });
  app.get('/metrics', async (c) => c.text(await d.metrics.metrics(), 200, { 'content-type': d.metrics.contentType }));
  return app;
}
