import type { Registry as MetricsRegistry } from 'prom-client';
import type { Clock } from '../clock.ts';
import type { HubModule } from '../context.ts';
import type { HubEvents } from '../events.ts';
import type { Logger } from '../log.ts';
import type { DeadLetterReader, HealthReport, PresenceReader } from '../ports.ts';
import type { Registry } from '../registry/registry.ts';
import type { Db } from '../state/db.ts';
import type { TelemetryStore } from '../telemetry/port.ts';
import type { ApiMetrics } from './metrics.ts';
import type { CredentialStore } from './auth/credentials.ts';
import type { AuthOptions } from './auth/options.ts';
import type { AttemptLimiterOptions } from '../auth/attempt-limiter.ts';
import type { AuthGuard } from '../auth/guard.ts';

/** What `createApi` needs; createHub passes its stores and readers. */
export interface ApiDeps {
  registry: Registry;
  telemetry: TelemetryStore;
  /** The state database (sessions and API tokens live there, next to the registry). */
  db: Db;
  presence: PresenceReader;
  deadLetters: DeadLetterReader;
  health: () => HealthReport;
  metrics: MetricsRegistry;
  /** Their `routes` sub-apps are mounted on the authenticated /api app, in this order. */
  modules: HubModule[];
  clock: Clock;
  log: Logger;
  events: HubEvents;
  auth?: Partial<AuthOptions>;
  limits?: Partial<ApiLimits>;
  /** The hub's attempt limiter (shared with MQTT CONNECT); default: one of the API's own. */
  guard?: AuthGuard;
  /** Options of that default limiter (tests). */
  attempts?: Partial<AttemptLimiterOptions>;
  /** Signs known-client cookies; createHub derives it from the hub key. Default: random per process. */
  knownClientKey?: Buffer;
}

/** Bounds on what one request may ask for. */
export interface ApiLimits {
  /** Longest track or grazing range one query may cover. */
  maxRangeMs: number;
  /** Points returned by a track query when `maxPoints` is not given (the range is downsampled). */
  defaultMaxPoints: number;
  /** Largest `maxPoints` a client may ask for. */
  maxPoints: number;
  /** Largest page of a list. */
  maxPageSize: number;
  /** Largest registry import body (JSON or CSV). */
  importMaxBytes: number;
  /** Largest JSON body of any other request. */
  jsonMaxBytes: number;
}

export const apiLimitDefaults: ApiLimits = {
  maxRangeMs: 31 * 24 * 3600_000, // a month of track: a patrol season's review, not a year's dump
  defaultMaxPoints: 2000, // enough to draw a day's patrol on a map without shipping every fix
  maxPoints: 20_000,
  maxPageSize: 1000,
  importMaxBytes: 32 * 1024 * 1024, // a league's registry (≈100k devices) as JSON
  jsonMaxBytes: 64 * 1024,
};

/** Everything route factories share: the deps plus resolved options and the auth state. */
export interface ApiCore extends Omit<ApiDeps, 'auth' | 'limits' | 'guard' | 'knownClientKey'> {
  auth: AuthOptions;
  limits: ApiLimits;
  credentials: CredentialStore;
  guard: AuthGuard;
  knownClientKey: Buffer;
  apiMetrics: ApiMetrics;
}
