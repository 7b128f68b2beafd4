import { Counter, Gauge, type Registry } from 'prom-client';
import type { Db } from '../state/db.ts';
import type { Incident } from './store.ts';

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Prometheus metrics of the incidents module (registered once per registry). */
export function incidentMetrics(registry: Registry, db: () => Db) {
  const opened = once(
    registry,
    'steppelink_incidents_opened_total',
    () =>
      new Counter({
        name: 'steppelink_incidents_opened_total',
        help: 'Incidents opened, by source and severity',
        labelNames: ['source', 'severity'],
        registers: [registry],
      }),
  );
  const deliveries = once(
    registry,
    'steppelink_deliveries_total',
    () =>
      new Counter({
        name: 'steppelink_deliveries_total',
        help: 'Delivery attempts by channel and outcome (sent, delivered, no-listener, retry, failed)',
        labelNames: ['channel', 'status'],
        registers: [registry],
      }),
  );
  once(
    registry,
    'steppelink_incidents_open',
    () =>
      new Gauge({
        name: 'steppelink_incidents_open',
        help: 'Incidents not yet resolved, cancelled or closed as false alarms',
        registers: [registry],
        collect() {
          this.set(
            db().prepare('SELECT count(*) FROM incidents WHERE closed_at IS NULL').pluck().get() as number,
          );
        },
      }),
  );
  return {
    deliveries,
    opened(inc: Incident) {
      opened.inc({ source: inc.source, severity: inc.severity });
    },
  };
}
