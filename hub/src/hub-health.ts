import { createRequire } from 'node:module';
import type { Broker } from './broker/broker.ts';
import type { ComponentHealth, HubModule } from './context.ts';
import type { Ingest } from './ingest/ingest.ts';
import type { HealthReport } from './ports.ts';
import type { Presence } from './presence.ts';
import type { TelemetryStore } from './telemetry/port.ts';

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export interface HealthParts {
  running: boolean;
  /** the embedded broker, or the external broker's client */
  broker: Broker | { health(): ComponentHealth };
  ingest: Ingest;
  presence: Presence;
  telemetry: TelemetryStore;
  modules: readonly HubModule[];
  uptimeMs: number;
}

/** GET /api/health: each component's state and details, queue depths; the worst state wins. */
export function healthReport(p: HealthParts): HealthReport {
  const ingest = p.ingest.health();
  const t = p.telemetry.health();
  const components: Record<string, ComponentHealth> = {
    broker:
      'health' in p.broker
        ? p.running
          ? p.broker.health()
          : { ...p.broker.health(), state: 'down' }
        : {
            state: p.running ? 'up' : 'down',
            clients: p.broker.clientCount,
            queueDrops: p.broker.queueDrops,
          },
    ingest,
    presence: { state: 'up', online: p.presence.onlineCount(), pendingWrites: p.presence.pendingWrites },
    telemetry: { ...t, state: t.state === 'up' ? 'up' : t.state === 'degraded' ? 'degraded' : 'down' },
  };
  for (const m of p.modules) components[`module:${m.name}`] = m.health?.() ?? { state: 'up' };
  const states = Object.values(components).map((c) => c.state);
  return {
    state: states.includes('down') ? 'down' : states.includes('degraded') ? 'degraded' : 'up',
    version: VERSION,
    uptimeS: Math.round(p.uptimeMs / 1000),
    components,
    queues: {
      inboxCommit: ingest.queued,
      processor: ingest.backlog,
      heldAcks: ingest.heldAcks,
      telemetry: t.buffered,
    },
  };
}
