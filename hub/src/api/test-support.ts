import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry as MetricsRegistry } from 'prom-client';
import type { AttemptLimiterOptions } from '../auth/attempt-limiter.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import type { HubModule } from '../context.ts';
import { HubEvents } from '../events.ts';
import { silentLogger } from '../log.ts';
import type {
  DeadLetter,
  DeadLetterReader,
  HealthReport,
  PresenceReader,
  PresenceRecord,
  RejectReason,
} from '../ports.ts';
import { DEMO_PASSWORD, SMALL_LEAGUE } from '../registry/fixture.ts';
import type { RegistryDocument } from '../registry/schema.ts';
import { hashSecret } from '../registry/secrets.ts';
import type { Registry } from '../registry/registry.ts';
import { openSqliteRegistry } from '../registry/sqlite-store.ts';
import { type Db, openDatabase } from '../state/db.ts';
import type { TelemetryStore } from '../telemetry/port.ts';
import { createSqliteTelemetryStore } from '../telemetry/sqlite.ts';
import { createApi } from './app.ts';
import type { AuthOptions } from './auth/options.ts';
import type { ApiDeps, ApiLimits } from './deps.ts';

/** For API tests: the hub's manual clock (one implementation: testing/manual-clock.ts). */
export { ManualClock };

/** Presence port as a map (the broker's adapter is tested elsewhere). */
export class MapPresence implements PresenceReader {
  readonly records = new Map<string, PresenceRecord>();
  set(deviceId: string, online: boolean, lastSeen: number): void {
    this.records.set(deviceId, {
      deviceId,
      online,
      lastSeen,
      connectedAt: online ? lastSeen : null,
      disconnectedAt: online ? null : lastSeen,
      lastReason: online ? null : 'keepalive timeout',
    });
  }
  get(id: string) {
    return this.records.get(id);
  }
  many(ids: readonly string[]) {
    return new Map(ids.flatMap((id) => (this.records.has(id) ? [[id, this.records.get(id)!] as const] : [])));
  }
  onlineCount() {
    return [...this.records.values()].filter((r) => r.online).length;
  }
}

/** Dead-letter port over an array, newest first, filtering as the port specifies. */
export class ArrayDeadLetters implements DeadLetterReader {
  readonly items: DeadLetter[] = [];
  add(d: Omit<DeadLetter, 'id'>): void {
    this.items.unshift({ ...d, id: this.items.length + 1 });
  }
  list(q: { limit: number; beforeId?: number; reason?: RejectReason; deviceIds?: readonly string[] }) {
    return this.items
      .filter(
        (d) =>
          (q.beforeId === undefined || d.id < q.beforeId) &&
          (q.reason === undefined || d.reason === q.reason),
      )
      .filter((d) => q.deviceIds === undefined || (d.deviceId !== null && q.deviceIds.includes(d.deviceId)))
      .slice(0, q.limit);
  }
  counts() {
    const c = {} as Record<RejectReason, number>;
    for (const d of this.items) c[d.reason] = (c[d.reason] ?? 0) + 1;
    return c;
  }
}

let leagueWithHashes: RegistryDocument | undefined;
/** SMALL_LEAGUE with passwords pre-hashed once (scrypt at password cost is slow on purpose). */
export function fastLeague(): RegistryDocument {
  if (!leagueWithHashes) {
    const hash = hashSecret(DEMO_PASSWORD, 'password');
    leagueWithHashes = structuredClone(SMALL_LEAGUE);
    for (const p of leagueWithHashes.people) if (p.login) p.login.password = hash;
  }
  return structuredClone(leagueWithHashes);
}

export interface TestApi {
  app: ReturnType<typeof createApi>;
  deps: ApiDeps;
  db: Db;
  registry: Registry;
  telemetry: TelemetryStore;
  clock: ManualClock;
  presence: MapPresence;
  deadLetters: ArrayDeadLetters;
  dir: string;
  close(): Promise<void>;
}

/** A real state DB and a real SQLite telemetry store in a temp dir, with the small league imported. */
export async function testApi(
  opts: {
    auth?: Partial<AuthOptions>;
    limits?: Partial<ApiLimits>;
    attempts?: Partial<AttemptLimiterOptions>;
    modules?: HubModule[];
    health?: HealthReport;
  } = {},
): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'sl-api-'));
  const db = openDatabase(join(dir, 'state.db'));
  const registry = openSqliteRegistry(db);
  const imported = registry.importDocumentNow(fastLeague());
  if (!imported.ok) throw new Error(`fixture import failed: ${JSON.stringify(imported.errors)}`);
  const telemetry = createSqliteTelemetryStore({ path: join(dir, 'telemetry.db') });
  await telemetry.start();
  const clock = new ManualClock();
  const presence = new MapPresence();
  const deadLetters = new ArrayDeadLetters();
  const health: HealthReport = opts.health ?? {
    state: 'up',
    version: '0.1.0',
    uptimeS: 42,
    components: { broker: { state: 'up', clients: 3 }, telemetry: { state: 'up', buffered: 0 } },
    queues: { inbox: 0 },
  };
  const deps: ApiDeps = {
    registry,
    telemetry,
    db,
    presence,
    deadLetters,
    health: () => health,
    metrics: new MetricsRegistry(),
    modules: opts.modules ?? [],
    clock,
    log: silentLogger(),
    events: new HubEvents(),
    ...(opts.auth ? { auth: opts.auth } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.attempts ? { attempts: opts.attempts } : {}),
  };
  const app = createApi(deps);
  return {
    app,
    deps,
    db,
    registry,
    telemetry,
    clock,
    presence,
    deadLetters,
    dir,
    async close() {
      await telemetry.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the API and returns headers that carry the session cookie. */
export async function signIn(
  app: TestApi['app'],
  username: string,
  password = DEMO_PASSWORD,
): Promise<{ cookie: string; headers: Record<string, string> }> {
  const res = await app.request('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { cookie, headers: { cookie } };
}

/** GET with the given headers, returning status and parsed JSON. */
export async function getJson(app: TestApi['app'], path: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, { headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text, res };
}

// biome-ignore lint/suspicious/noExplicitAny: tests walk arbitrary JSON answers
export type Json = any;
/** A response body as loosely typed JSON, for assertions. */
export const json = (res: Response): Promise<Json> => res.json();
