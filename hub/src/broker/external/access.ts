import type { AuthGuard } from '../../auth/guard.ts';
import type { HubEvents } from '../../events.ts';
import type { Logger } from '../../log.ts';
import { type DeviceKey, isHashedSecret, verifySecretSync } from '../../registry/secrets.ts';
import type { Db } from '../../state/db.ts';
import type { AuthOutcome, ConnectInfo } from '../auth.ts';
import { type AccessRegistry, brokerEndpoint } from './http-auth.ts';
import { BrokerPasswords, type FilesRegistry, MosquittoFiles } from './mosquitto-files.ts';

export const brokerAccessDefaults = {
  refreshIntervalMs: 30_000, // registry changes made elsewhere (the CLI) reach mosquitto's files within this
  refreshDebounceMs: 200, // changes made through the API within this are written in one go
};

export type BrokerAccessOptions = Partial<typeof brokerAccessDefaults> & {
  /** the hubs' own account at the broker */
  hub: { username: string; password: string; group: string };
  /** serves /broker/… (EMQX HTTP authn/authz, VerneMQ webhooks) to brokers presenting this secret */
  endpointSecret?: string;
  /** writes mosquitto's password and ACL files into this folder */
  mosquitto?: { dir: string; pidFile?: string };
};

type MaybePromise<T> = T | Promise<T>;
/** The registry reads device access needs (awaited: a synchronous registry and an async port both fit). */
export interface AccessDepsRegistry extends AccessRegistry, FilesRegistry {
  getDevice(
    id: string,
  ): MaybePromise<{ id: string; enabled: boolean; secretHash: string | null } | undefined>;
  readonly deviceKey?: DeviceKey | undefined;
}

export interface BrokerAccessDeps {
  db: Db;
  registry: AccessDepsRegistry;
  authenticator: { authenticate(c: ConnectInfo): Promise<AuthOutcome> };
  guard: AuthGuard;
  events: HubEvents;
  log: Logger;
}

type Fetch = (req: Request, env?: unknown) => Response | Promise<Response>;

/**
 * Device access served to an external broker: the HTTP endpoint (http-auth.ts) and mosquitto's
 * files (mosquitto-files.ts), refreshed on registry changes. `wrap` puts both in front of the
 * hub's HTTP app: `/broker/…` goes to the endpoint; a device secret the API issues
 * (`POST /api/devices/{id}/secret`) or imports in plain text (`POST /api/registry/import`, JSON)
 * is hashed for mosquitto once the registry holds it, and the files are rewritten.
 */
export class BrokerAccess {
  readonly files: MosquittoFiles | undefined;
  private readonly passwords: BrokerPasswords | undefined;
  private readonly endpoint;
  private readonly o: typeof brokerAccessDefaults & BrokerAccessOptions;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private offRevoked: (() => void) | undefined;

  constructor(
    private readonly d: BrokerAccessDeps,
    options: BrokerAccessOptions,
  ) {
    this.o = { ...brokerAccessDefaults, ...options };
    if (this.o.mosquitto) {
      this.passwords = new BrokerPasswords(d.db);
      this.files = new MosquittoFiles(
        d.registry,
        this.passwords,
        { ...this.o.mosquitto, hub: this.o.hub },
        d.log,
      );
    }
    this.endpoint = this.o.endpointSecret
      ? brokerEndpoint({ ...d, secret: this.o.endpointSecret, hub: this.o.hub })
      : undefined;
  }

  async start(): Promise<void> {
    if (!this.files) return;
    await this.refreshNow();
    this.timer = setInterval(() => this.refreshSoon(), this.o.refreshIntervalMs);
    this.offRevoked = this.d.events.on('device.revoked', () => this.refreshSoon());
  }

  /** Rewrites mosquitto's files now if the registry changed (tests, the CLI's operator). */
  refreshNow(): Promise<boolean> {
    const next = this.running.then(() => this.files?.refresh() ?? false);
    this.running = next.catch((err) => this.d.log.error({ err }, 'writing the mosquitto files failed'));
    return next;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.pending);
    this.offRevoked?.();
    await this.running;
  }

  health() {
    return this.files
      ? {
          devicesListed: this.files.listed,
          devicesWithoutBrokerPassword: this.files.unlisted,
          refreshes: this.files.refreshes,
        }
      : {};
  }

  wrap(app: { fetch: Fetch }): { fetch: Fetch } {
    return {
      fetch: async (req, env) => {
        const path = new URL(req.url).pathname;
        if (this.endpoint && (path === '/broker' || path.startsWith('/broker/'))) {
          return this.endpoint.fetch(new Request(req.url.replace('/broker', ''), req), env);
        }
        if (!this.files || req.method === 'GET') return app.fetch(req, env);
        const issued = req.method === 'POST' && /^\/api\/devices\/[^/]+\/secret$/.test(path);
        const imported =
          req.method === 'POST' &&
          path === '/api/registry/import' &&
          (req.headers.get('content-type') ?? '').startsWith('application/json');
        const sent = imported ? await req.clone().text() : undefined;
        const res = await app.fetch(req, env);
        if (res.status === 200 && (issued || imported)) {
          try {
            if (issued) {
              const b = (await res.clone().json()) as { deviceId?: unknown; secret?: unknown };
              if (typeof b.deviceId === 'string' && typeof b.secret === 'string')
                await this.remember(b.deviceId, b.secret);
            } else if (sent) {
              const doc = JSON.parse(sent) as { devices?: { id?: unknown; secret?: unknown }[] };
              for (const dev of doc.devices ?? []) {
                if (
                  typeof dev.id === 'string' &&
                  typeof dev.secret === 'string' &&
                  !isHashedSecret(dev.secret)
                )
                  await this.remember(dev.id, dev.secret);
              }
            }
          } catch (err) {
            this.d.log.warn({ err }, 'could not read a device secret for the broker files');
          }
        }
        if (res.status < 400 && path.startsWith('/api/')) this.refreshSoon();
        return res;
      },
    };
  }

  /** Keeps a broker hash of `secret` if the registry holds it now for this device (else ignores it). */
  private async remember(deviceId: string, secret: string): Promise<void> {
    const device = await this.d.registry.getDevice(deviceId);
    const stored = device?.secretHash;
    if (!stored || !verifySecretSync(secret, stored, this.d.registry.deviceKey)) return;
    this.passwords?.remember(deviceId, secret, stored);
  }

  private refreshSoon(): void {
    if (!this.files || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.refreshNow();
    }, this.o.refreshDebounceMs);
  }
}
