import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The hub's Prometheus metrics (served at /metrics). Hot paths increment once per group commit
 * or processor batch (`inc(n)`), never once per label lookup per message.
 */
export interface HubMetrics {
  registry: Registry;
  accepted: Counter<'kind'>;
  rejected: Counter<'reason'>;
  duplicates: Counter<'kind'>;
  handlerErrors: Counter<'module'>;
  authRefused: Counter<'code'>;
  inboxCommitSeconds: Histogram;
  storeWriteSeconds: Histogram;
  /** Adds a gauge source: `steppelink_queue_depth{queue=name}` reads it at scrape time. */
  queue(name: string, read: () => number): void;
  /** Sets what `steppelink_mqtt_connections` reads at scrape time. */
  connections(read: () => number): void;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): HubMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'steppelink_' });
  const queues = new Map<string, () => number>();
  let readConnections = () => 0;
  const registers = [registry];
  return {
    registry,
    accepted: new Counter({
      name: 'steppelink_messages_accepted_total',
      help: 'Upstream messages durably accepted into the inbox, by kind (duplicates excluded)',
      labelNames: ['kind'],
      registers,
    }),
    rejected: new Counter({
      name: 'steppelink_messages_rejected_total',
      help: 'Messages rejected or failed, by reason (each is also a dead letter)',
      labelNames: ['reason'],
      registers,
    }),
    duplicates: new Counter({
      name: 'steppelink_messages_duplicate_total',
      help: 'Redelivered messages already in the inbox (acknowledged, stored once)',
      labelNames: ['kind'],
      registers,
    }),
    handlerErrors: new Counter({
      name: 'steppelink_handler_errors_total',
      help: 'Hub module handlers that threw on an accepted message',
      labelNames: ['module'],
      registers,
    }),
    authRefused: new Counter({
      name: 'steppelink_mqtt_connect_refused_total',
      help: 'MQTT connections refused at CONNECT, by CONNACK return code',
      labelNames: ['code'],
      registers,
    }),
    inboxCommitSeconds: new Histogram({
      name: 'steppelink_inbox_commit_seconds',
      help: 'Duration of one group commit into the inbox',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
      registers,
    }),
    storeWriteSeconds: new Histogram({
      name: 'steppelink_telemetry_write_seconds',
      help: 'Duration of one telemetry store write (a processor batch) until durable',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    queue(name, read) {
      queues.set(name, read);
    },
    connections(read) {
      readConnections = read;
    },
    ...gauges(registers, queues, () => readConnections()),
  };
}

function gauges(registers: Registry[], queues: Map<string, () => number>, connections: () => number) {
  new Gauge({
    name: 'steppelink_queue_depth',
    help: 'Items waiting in a hub queue',
    labelNames: ['queue'],
    registers,
    collect() {
      for (const [queue, read] of queues) this.set({ queue }, read());
    },
  });
  new Gauge({
    name: 'steppelink_mqtt_connections',
    help: 'MQTT clients connected to the embedded broker',
    registers,
    collect() {
      this.set(connections());
    },
  });
  return {};
}
