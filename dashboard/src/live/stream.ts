/**
 * A live stream of server-sent events that keeps itself connected. The browser's own
 * EventSource retry is replaced by ours (exponential backoff with jitter, reset once connected)
 * so that a stream refused by the server (401, 5xx) is retried too, and so the board can say
 * exactly when it is stale. After every (re)connect `onOpen` runs: the caller refetches what it
 * may have missed while disconnected.
 */
import { backoffDelayMs } from '@steppelink/protocols/backoff';

export type StreamState = 'connecting' | 'live' | 'stale' | 'closed';

export interface StreamOptions {
  url: string;
  /** Named SSE events to listen for (the default `message` event is always listened to). */
  events: readonly string[];
  onEvent(name: string, data: unknown): void;
  onState?(state: StreamState): void;
  onOpen?(): void;
  /** First retry delay; doubles per failure up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /**
   * With a server that sends `ping` events, silence longer than this means the connection is
   * half-open (a dead proxy, a suspended laptop): drop it and reconnect.
   */
  silenceMs?: number;
  /** Injected for tests. */
  eventSource?: (url: string) => EventSource;
  random?: () => number;
}

const defaults = {
  minDelayMs: 1000, // a dropped link usually comes back within seconds
  maxDelayMs: 30_000, // a wall screen keeps trying, but never hammers a hub that is down
  silenceMs: 45_000, // three missed 15 s pings
};

export interface LiveStream {
  readonly state: StreamState;
  close(): void;
  /** Reconnect now (e.g. the browser says it is back online). */
  retryNow(): void;
}

export function openStream(options: StreamOptions): LiveStream {
  const o = { ...defaults, ...options };
  const make = o.eventSource ?? ((u: string) => new EventSource(u, { withCredentials: true }));
  const random = o.random ?? Math.random;
  let state: StreamState = 'connecting';
  let es: EventSource | null = null;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let silenceTimer: ReturnType<typeof setTimeout> | null = null;
  let sawPing = false;

  const setState = (s: StreamState) => {
    if (s === state) return;
    state = s;
    o.onState?.(s);
  };

  const armSilence = () => {
    if (silenceTimer) clearTimeout(silenceTimer);
    if (sawPing) silenceTimer = setTimeout(() => fail(), o.silenceMs);
  };

  const fail = () => {
    if (state === 'closed') return;
    es?.close();
    es = null;
    if (silenceTimer) clearTimeout(silenceTimer);
    setState('stale');
    failures++;
    const delay = backoffDelayMs(failures, { initialMs: o.minDelayMs, maxMs: o.maxDelayMs }, random);
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  };

  const connect = () => {
    retryTimer = null;
    if (state === 'closed') return;
    const source = make(o.url);
    es = source;
    source.onopen = () => {
      if (es !== source) return;
      failures = 0;
      setState('live');
      armSilence();
      o.onOpen?.();
    };
    source.onerror = () => {
      if (es === source) fail();
    };
    const handle = (name: string) => (ev: MessageEvent) => {
      if (es !== source) return;
      if (name === 'ping') sawPing = true;
      armSilence();
      if (name === 'ping') return;
      let data: unknown = ev.data;
      try {
        data = JSON.parse(ev.data as string);
      } catch {
        // plain-text event: pass as is
      }
      o.onEvent(name, data);
    };
    source.addEventListener('message', handle('message') as EventListener);
    source.addEventListener('ping', handle('ping') as EventListener);
    for (const name of o.events) source.addEventListener(name, handle(name) as EventListener);
  };

  connect();
  return {
    get state() {
      return state;
    },
    close() {
      setState('closed');
      es?.close();
      es = null;
      if (retryTimer) clearTimeout(retryTimer);
      if (silenceTimer) clearTimeout(silenceTimer);
    },
    retryNow() {
      if (state === 'live' || state === 'closed' || es) return; // connected, or an attempt is under way
      if (retryTimer) clearTimeout(retryTimer);
      connect();
    },
  };
}
