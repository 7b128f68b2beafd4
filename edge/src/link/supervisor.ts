import type { TimerHandle, Timers } from '../clock.ts';
import { EDGE_DEFAULTS } from '../defaults.ts';
import { TypedEmitter } from '../events.ts';
import { errorMessage, type Logger, silentLogger } from '../logger.ts';
import { backoffDelayMs } from '@steppelink/protocols/backoff';
import type { Connection, ConnectionFactory } from './port.ts';

export type LinkState = 'idle' | 'connecting' | 'online' | 'backoff' | 'closed';

export interface LinkEvents extends Record<string, unknown> {
  state: { state: LinkState; url?: string };
  online: { url: string; sessionPresent: boolean; generation: number };
  offline: { url: string; reason: string };
  message: { topic: string; payload: Buffer };
}

export interface LinkOptions {
  /** Hub URLs in order of preference; each failed round tries them all before backing off. */
  urls: readonly string[];
  deviceId: string;
  secret: string;
  connect: ConnectionFactory;
  timers: Timers;
  random?: () => number;
  logger?: Logger;
  subscriptions?: readonly string[];
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  keepaliveS?: number;
}

/**
 * Keeps one MQTT session up: tries hub URLs in order (failover), backs off exponentially with
 * jitter after a failed round, resets on CONNACK, and subscribes on every connect.
 */
export class LinkSupervisor extends TypedEmitter<LinkEvents> {
  readonly #o: Required<Omit<LinkOptions, 'subscriptions'>>;
  #subs: string[];
  #state: LinkState = 'idle';
  #conn: Connection | undefined;
  #urlIndex = 0;
  #round = 0;
  #generation = 0;
  #timer: TimerHandle | undefined;

  constructor(options: LinkOptions) {
    super();
    if (options.urls.length === 0)
      throw new Error('LinkSupervisor needs at least one hub URL (hubUrls in edge.json).');
    this.#o = {
      random: Math.random,
      logger: silentLogger,
      reconnectInitialMs: EDGE_DEFAULTS.reconnectInitialMs,
      reconnectMaxMs: EDGE_DEFAULTS.reconnectMaxMs,
      connectTimeoutMs: EDGE_DEFAULTS.connectTimeoutMs,
      keepaliveS: EDGE_DEFAULTS.keepaliveS,
      ...options,
    };
    this.#subs = [...(options.subscriptions ?? [])];
  }

  get state(): LinkState {
    return this.#state;
  }

  /** The URL of the current or last attempt. */
  get url(): string {
    return this.#o.urls[this.#urlIndex] ?? '';
  }

  /** Increases with every connection attempt; publish callbacks carry it. */
  get generation(): number {
    return this.#generation;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#attempt(0);
  }

  /** QoS 1 publish on the current session; false when offline (nothing was sent). */
  publish(topic: string, payload: Uint8Array, done: (error?: Error) => void): boolean {
    if (this.#state !== 'online' || !this.#conn) return false;
    this.#conn.publish(topic, payload, done);
    return true;
  }

  /** Replaces the subscription list (e.g. units changed); subscribes now if online. */
  setSubscriptions(topics: readonly string[]): void {
    const added = topics.filter((t) => !this.#subs.includes(t));
    this.#subs = [...topics];
    if (this.#state === 'online' && added.length > 0) this.#subscribe(added);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    this.#o.timers.clearTimeout(this.#timer);
    const conn = this.#conn;
    this.#conn = undefined;
    this.#generation++;
    await conn?.end();
  }

  #setState(state: LinkState): void {
    this.#state = state;
    this.emit('state', { state, url: this.url });
  }

  #attempt(index: number): void {
    this.#urlIndex = index;
    const gen = ++this.#generation;
    const url = this.url;
    this.#setState('connecting');
    this.#o.logger.debug('link.connecting', { url, round: this.#round });
    const live = () => gen === this.#generation && this.#state !== 'closed';
    this.#timer = this.#o.timers.setTimeout(() => {
      if (live()) this.#closed(gen, `no CONNACK within ${this.#o.connectTimeoutMs} ms`);
    }, this.#o.connectTimeoutMs);
    try {
      this.#conn = this.#o.connect(
        url,
        {
          clientId: this.#o.deviceId,
          username: this.#o.deviceId,
          password: this.#o.secret,
          clean: false,
          connectTimeoutMs: this.#o.connectTimeoutMs,
          keepaliveS: this.#o.keepaliveS,
        },
        {
          connect: (sessionPresent) => {
            if (live() && this.#state === 'connecting') this.#online(gen, sessionPresent);
          },
          message: (topic, payload) => {
            if (live()) this.emit('message', { topic, payload });
          },
          close: (reason) => {
            if (live()) this.#closed(gen, reason);
          },
        },
      );
    } catch (error) {
      this.#closed(gen, errorMessage(error));
    }
  }

  #online(gen: number, sessionPresent: boolean): void {
    this.#o.timers.clearTimeout(this.#timer);
    this.#round = 0;
    this.#setState('online');
    this.#o.logger.info('link.online', { url: this.url, sessionPresent });
    if (this.#subs.length > 0) this.#subscribe(this.#subs);
    this.emit('online', { url: this.url, sessionPresent, generation: gen });
  }

  #subscribe(topics: readonly string[]): void {
    this.#conn?.subscribe(topics, (error) => {
      if (error) this.#o.logger.warn('link.subscribe_failed', { topics, error: error.message });
    });
  }

  #closed(gen: number, reason: string): void {
    this.#o.timers.clearTimeout(this.#timer);
    const conn = this.#conn;
    this.#conn = undefined;
    this.#generation++; // late callbacks of this connection are ignored from now on
    void conn?.end();
    const url = this.url;
    if (this.#state === 'online') {
      this.#o.logger.warn('link.offline', { url, reason });
      this.emit('offline', { url, reason });
      this.#backoff(0);
      return;
    }
    this.#o.logger.debug('link.attempt_failed', { url, reason, gen });
    if (this.#urlIndex + 1 < this.#o.urls.length) {
      this.#attempt(this.#urlIndex + 1);
    } else {
      this.#backoff(this.#round++);
    }
  }

  #backoff(round: number): void {
    const delay = backoffDelayMs(
      round + 1,
      { initialMs: this.#o.reconnectInitialMs, maxMs: this.#o.reconnectMaxMs },
      this.#o.random,
    );
    this.#setState('backoff');
    this.#timer = this.#o.timers.setTimeout(() => {
      if (this.#state === 'backoff') this.#attempt(0);
    }, delay);
  }
}
