import { join } from 'node:path';
import { createApi } from './api/app.ts';
import { AttemptLimiter, type AttemptLimiterOptions } from './auth/attempt-limiter.ts';
import { AuthGuard } from './auth/guard.ts';
import { hubKeys } from './auth/server-key.ts';
import type { ApiDeps } from './api/deps.ts';
import { Broker, type BrokerOptions, brokerDefaults } from './broker/broker.ts';
import { type Listener, listenTcp, listenTls, type TlsFiles } from './broker/listeners.ts';
import { Authenticator } from './broker/auth.ts';
import { BrokerAccess, type BrokerAccessOptions } from './broker/external/access.ts';
import { ExternalBroker } from './broker/external/consumer.ts';
import type { ExternalBrokerOptions } from './broker/external/options.ts';
import { brokerPublisher } from './broker/publisher.ts';
import { SqlitePersistence } from './broker/sqlite-persistence.ts';
import { type Clock, systemClock } from './clock.ts';
import type { HubContext, HubModule, Publisher } from './context.ts';
import { HubEvents } from './events.ts';
import { healthReport } from './hub-health.ts';
import { createHttpServer, type HttpServer } from './http.ts';
import { Checkpointer } from './ingest/checkpointer.ts';
import { Ingest, type IngestOptions } from './ingest/ingest.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type HubMetrics } from './metrics.ts';
import type { HealthReport } from './ports.ts';
import { Presence, type presenceDefaults } from './presence.ts';
import { importFile } from './registry/import.ts';
import { formatIssue } from './registry/import-errors.ts';
import type { RegistryDocument } from './registry/schema.ts';
import type { Registry } from './registry/registry.ts';
import { openSqliteRegistry } from './registry/sqlite-store.ts';
import { type Db, openDatabase } from './state/db.ts';
import { openTelemetry, type TelemetryConfig } from './telemetry-config.ts';
import type { TelemetryStore } from './telemetry/port.ts';
import {
  BACKGROUND_NICE,
  EVENT_LOOP_SLICE_US,
  lowerHelperThreadsPriority,
  requestSchedulerSlice,
} from './thread-priority.ts';

export const hubDefaults = {
  host: '0.0.0.0', // all interfaces: devices reach the hub over the network
  mqttPort: 1883, // IANA MQTT port
  httpPort: 8080, // API, dashboard and MQTT over WebSocket (/mqtt)
  /** nice value for this process's threads other than the event loop (V8's JIT and GC helpers, libuv's pool), set at start; false leaves them */
  helperThreadsNice: BACKGROUND_NICE as number | false,
  /** scheduler slice (µs) asked for the event loop thread at start, a latency hint to Linux 6.12+ (see requestSchedulerSlice); false leaves it */
  eventLoopSliceUs: EVENT_LOOP_SLICE_US as number | false,
};

export interface HubOptions extends Partial<typeof hubDefaults> {
  /** Folder of state.db (registry, inbox, presence, modules' tables) and the SQLite telemetry store. */
  dataDir: string;
  tls?: TlsFiles;
  /** Default: SQLite at `<dataDir>/telemetry.db`. A ready store may be passed instead (tests). */
  telemetry?: TelemetryConfig | TelemetryStore;
  /** Imported (idempotently) when the hub is created; any bad row throws and nothing is written. */
  registry?: RegistryDocument;
  /** A registry file (.json document or .csv sheet) imported the same way, after `registry`. */
  registryFile?: string;
  modules?: HubModule[];
  clock?: Clock;
  log?: Logger;
  logLevel?: string;
  broker?: BrokerOptions;
  /**
   * External broker mode: no embedded broker, no MQTT listeners; the hub consumes device traffic
   * from this broker through shared subscriptions and publishes downlink through it
   * (broker/external/). Default: the embedded aedes broker.
   */
  externalBroker?: ExternalBrokerOptions;
  /** Device access for an external broker: the HTTP auth/ACL endpoint and/or mosquitto's files (broker/external/access.ts). */
  brokerAccess?: BrokerAccessOptions;
  ingest?: IngestOptions;
  presence?: Partial<typeof presenceDefaults>;
  /** Sign-in throttling shared by HTTP and MQTT (see auth/attempt-limiter.ts for the defaults). */
  attempts?: Partial<AttemptLimiterOptions>;
  /** API settings (sessions, metrics token, limits), passed to `createApi`. */
  api?: Pick<ApiDeps, 'auth' | 'limits'>;
  /** Builds the HTTP app; default: the hub API (`createApi`). */
  app?: (deps: ApiDeps) => { fetch: (req: Request, env?: unknown) => Response | Promise<Response> };
}

export interface HubPorts {
  /** 0 in external broker mode: devices connect to that broker, the hub listens for none */
  mqttPort: number;
  httpPort: number;
  tlsPort?: number;
}
export interface HubCloseReport {
  /** accepted messages not yet handed to the store/modules: they are in the inbox and replay at next start */
  unprocessed: number;
  /** telemetry points the store reports as not written */
  telemetryUnwritten: number;
}
export type HubState = 'created' | 'starting' | 'running' | 'closing' | 'closed' | 'failed';

export interface Hub {
  readonly state: HubState;
  readonly db: Db;
  readonly registry: Registry;
  readonly telemetry: TelemetryStore;
  readonly ingest: Ingest;
  readonly presence: Presence;
  /** The embedded broker; reading it in external broker mode throws (there is none). */
  readonly broker: Broker;
  /** The external broker's client, in external broker mode. */
  readonly external: ExternalBroker | undefined;
  readonly publisher: Publisher;
  readonly metrics: HubMetrics;
  readonly events: HubEvents;
  start(): Promise<HubPorts>;
  health(): HealthReport;
  close(): Promise<HubCloseReport>;
}

export function createHub(options: HubOptions): Hub {
  if (!options?.dataDir)
    throw new Error('createHub: pass `dataDir`, the folder for state.db and telemetry (e.g. ./data)');
  const o = { ...hubDefaults, ...options };
  const clock = o.clock ?? systemClock;
  const log = o.log ?? createLogger(o.logLevel ? { level: o.logLevel } : {});
  const modules = o.modules ?? [];
  const dbPath = join(o.dataDir, 'state.db');
  const db = openDatabase(dbPath);
  // <dataDir>/hub.key: device secrets are HMAC'd under a key kept apart from state.db
  const keys = hubKeys(o.dataDir);
  // the registry's read model: loaded now, kept current through its store port (registry/registry.ts)
  const registry: Registry = openSqliteRegistry(db, { deviceKey: keys.device });
  /** `registry` and `registryFile`, imported first thing in start() through the one import path. */
  const importRegistry = async () => {
    const bad = (what: string, rows: string[]) =>
      new Error(`createHub: ${what} has ${rows.length} bad row(s), nothing was imported: ${rows.join('; ')}`);
    if (o.registry) {
      const r = await registry.importDocument(o.registry, clock.now());
      if (!r.ok)
        throw bad(
          'the registry',
          r.errors.map((e) => `${e.section}[${e.index}] ${e.reason}`),
        );
    }
    if (o.registryFile) {
      const r = await importFile(registry, o.registryFile, { now: clock.now() });
      if (!r.ok)
        throw bad(
          o.registryFile,
          r.errors.map((e) => formatIssue(e, o.registryFile)),
        );
    }
  };
  const metrics = createMetrics();
  const guard = new AuthGuard(new AttemptLimiter(clock, o.attempts), metrics.registry, log);
  const events = new HubEvents();
  const telemetry = openTelemetry(o.telemetry, o.dataDir);
  // An external broker's messages come one at a time per consumer connection (each waits for its
  // commit before the next is handed on): a commit waits for no group there, and carries what
  // the hub's connections handed on in that turn (broker/external/consumer.ts).
  const ingestOptions = o.externalBroker
    ? { ...o.ingest, queue: { commitIntervalMs: 0, ...o.ingest?.queue } }
    : o.ingest;
  const ingest = new Ingest({ db, telemetry, modules, events, metrics, clock, log }, ingestOptions);
  const presence = new Presence(db, events, clock, log, o.presence);
  const checkpointer = new Checkpointer(db, dbPath, log);
  const external = o.externalBroker
    ? new ExternalBroker(
        registry,
        {
          offer: (who, clientId, topic, payload, done) => ingest.offer(who, clientId, topic, payload, done),
          recordReject: (...a) => ingest.recordReject(...a),
          deviceHeard: (id) => presence.touch(id),
        },
        log.child({ component: 'broker' }),
        o.externalBroker,
      )
    : undefined;
  const broker = embeddedBroker(
    () =>
      new Broker(
        registry,
        {
          offer: (who, clientId, topic, payload, done) => ingest.offer(who, clientId, topic, payload, done),
          recordReject: (...a) => ingest.recordReject(...a),
          deviceHeard: (id) => presence.touch(id),
          deviceDisconnected: (id, reason) => presence.disconnected(id, reason),
          deviceSubscribed: (id, topics, session) => {
            for (const m of modules) {
              if (!m.onDeviceSubscribed) continue;
              Promise.resolve()
                .then(() => m.onDeviceSubscribed?.(id, topics, session))
                .catch((err) =>
                  log.error({ err, module: m.name, deviceId: id }, 'onDeviceSubscribed failed'),
                );
            }
          },
          forwardFilter: (clientId, topic, payload) =>
            modules.every((m) => !m.forwardFilter || m.forwardFilter(clientId, topic, payload)),
          deviceConnected: (id) => {
            presence.connected(id);
            for (const m of modules) {
              if (!m.onDeviceConnected) continue;
              Promise.resolve()
                .then(() => m.onDeviceConnected?.(id))
                .catch((err) => log.error({ err, module: m.name, deviceId: id }, 'onDeviceConnected failed'));
            }
          },
        },
        metrics,
        log,
        // persistent sessions (subscriptions, queued pages and sos-acks) live in state.db and survive a restart
        {
          ...o.broker,
          auth: {
            ...o.broker?.auth,
            guard,
            onDeviceSecret: (id, secret) => {
              for (const m of modules) m.onDeviceSecret?.(id, secret);
            },
          },
          // behind the reverse proxy the API trusts, MQTT over WebSocket comes through it too
          trustProxy: o.broker?.trustProxy ?? o.api?.auth?.trustProxy ?? false,
          persistence: o.broker?.persistence ?? new SqlitePersistence(db, { log }),
        },
      ),
    !external,
  );
  const publisher = external ? external.publisher : brokerPublisher(broker.get());
  const access = o.brokerAccess
    ? new BrokerAccess(
        {
          db,
          registry,
          // the same checks (and the same hook for modules that derive keys from a device secret) as the embedded broker's
          authenticator: external
            ? new Authenticator(registry, {
                ...o.broker?.auth,
                guard,
                onDeviceSecret: (id, secret) => {
                  for (const m of modules) m.onDeviceSecret?.(id, secret);
                },
              })
            : broker.get().auth,
          guard,
          events,
          log: log.child({ component: 'broker-access' }),
        },
        o.brokerAccess,
      )
    : undefined;
  if (!external) events.on('device.revoked', (e) => broker.get().disconnectDevice(e.deviceId, e.reason));
  const startedAt = clock.now();
  let state: HubState = 'created';
  let listeners: Listener[] = [];
  let http: HttpServer | undefined;
  const started: HubModule[] = [];

  const health = (): HealthReport =>
    healthReport({
      running: state === 'running',
      broker: external ?? broker.get(),
      ingest,
      presence,
      telemetry,
      modules,
      uptimeMs: clock.now() - startedAt,
    });

  const hub: Hub = {
    get state() {
      return state;
    },
    db,
    registry,
    telemetry,
    ingest,
    presence,
    get broker() {
      return broker.get();
    },
    external,
    publisher,
    metrics,
    events,
    health,
    async start() {
      if (state !== 'created') throw new Error(`hub: start() called in state '${state}'`);
      state = 'starting';
      try {
        await importRegistry();
        checkpointer.start();
        await telemetry.start();
        if (!external) await broker.get().start();
        const ctx: HubContext = {
          db,
          registry,
          telemetry,
          publisher,
          events,
          clock,
          log,
          metrics: metrics.registry,
          dataDir: o.dataDir,
          recordReject: (...a) => ingest.recordReject(...a),
        };
        for (const m of modules) {
          await m.start(ctx);
          started.push(m);
        }
        ingest.start();
        presence.start();
        // mosquitto's files list the hub's own account: written before it connects
        await access?.start();
        // External broker mode: devices connect to that broker; the hub consumes from it.
        if (external) await external.start();
        const tcp = external ? undefined : await listenTcp(broker.get().handle, o.mqttPort, o.host);
        if (tcp) listeners.push(tcp);
        const tls = o.tls && !external ? await listenTls(broker.get().handle, o.tls, o.host) : undefined;
        if (tls) listeners.push(tls);
        const appDeps: ApiDeps = {
          registry,
          telemetry,
          db,
          presence,
          deadLetters: ingest.deadLetters,
          health,
          metrics: metrics.registry,
          modules,
          clock,
          log,
          events,
          guard,
          knownClientKey: keys.knownClient,
          ...o.api,
        };
        const api = (o.app ?? createApi)(appDeps);
        const app = access ? access.wrap(api) : api;
        http = createHttpServer({
          fetch: app.fetch,
          mqtt: external ? (stream) => stream.destroy() : broker.get().handle,
          maxWsMessageBytes: external ? brokerDefaults.maxPacketBytes : broker.get().maxPacketBytes,
          log,
        });
        const httpPort = await http.listen(o.httpPort, o.host);
        // The event loop pages SOS: V8's and libuv's helper threads yield the CPU to it.
        const lowered = o.helperThreadsNice === false ? 0 : lowerHelperThreadsPriority(o.helperThreadsNice);
        // …and, woken by an SOS on its socket, it runs at once instead of after another task's slice.
        const slice = o.eventLoopSliceUs === false ? undefined : requestSchedulerSlice(o.eventLoopSliceUs);
        state = 'running';
        log.info(
          {
            ...(tcp ? { mqttPort: tcp.port } : { broker: external?.health().url }),
            httpPort,
            tlsPort: tls?.port,
            helperThreadsLowered: lowered,
            eventLoopSlice:
              slice && (slice.applied ? `${slice.sliceUs} µs` : `kernel default (${slice.reason})`),
          },
          'hub running',
        );
        const mqttPort = tcp?.port ?? 0;
        return tls ? { mqttPort, httpPort, tlsPort: tls.port } : { mqttPort, httpPort };
      } catch (err) {
        state = 'failed';
        await hub.close().catch(() => undefined);
        state = 'failed';
        throw err;
      }
    },
    async close() {
      if (state === 'closed' || state === 'closing') return { unprocessed: 0, telemetryUnwritten: 0 };
      state = 'closing';
      await Promise.all(listeners.map((l) => l.close()));
      listeners = [];
      await http?.close();
      if (external) await external.close();
      else await broker.get().close();
      await access?.close();
      const { unprocessed } = await ingest.close();
      presence.close();
      for (const m of started.reverse()) {
        await Promise.resolve(m.close()).catch((err) =>
          log.error({ err, module: m.name }, 'module close failed'),
        );
      }
      const t = await telemetry.close().catch((err) => {
        log.error({ err }, 'telemetry close failed');
        return { unwritten: telemetry.health().buffered };
      });
      await checkpointer.close();
      registry.close();
      db.close();
      state = 'closed';
      return { unprocessed, telemetryUnwritten: t.unwritten };
    },
  };
  return hub;
}

/** The embedded broker, or a clear error for whoever reaches for it in external broker mode. */
function embeddedBroker(make: () => Broker, enabled: boolean): { get(): Broker } {
  const b = enabled ? make() : undefined;
  return {
    get() {
      if (!b)
        throw new Error(
          'hub: there is no embedded broker in external broker mode (STEPPELINK_BROKER=external); use hub.external',
        );
      return b;
    },
  };
}
