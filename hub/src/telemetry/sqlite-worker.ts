import { Worker } from 'node:worker_threads';
import {
  batchSize,
  type CloseReport,
  type GrazingPoint,
  type HealthPoint,
  type PositionPoint,
  type TelemetryBatch,
  type TelemetryStore,
  type TelemetryStoreHealth,
  TelemetryStoreStateError,
  type TelemetryStoreState,
} from './port.ts';
import { createSqliteTelemetryStore, type SqliteTelemetryOptions } from './sqlite.ts';
import {
  fromWireError,
  type Op,
  type PackedBatch,
  packBatch,
  type Reply,
  type Request,
} from './sqlite-worker-wire.ts';

interface Pending {
  op: Op;
  points: number;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

const workers = new WeakMap<TelemetryStore, () => Worker | undefined>();

/** The worker thread behind a store of createWorkerSqliteTelemetryStore (tests: to crash it). */
export const telemetryWorkerOf = (store: TelemetryStore): Worker | undefined => workers.get(store)?.();

/**
 * The SQLite store of sqlite.ts, run in a worker thread so that the main thread only pays for
 * handing batches over (packed, see sqlite-worker-wire.ts) instead of for the inserts and the
 * commits. Same semantics as the in-thread store: write() resolves once the batch is committed
 * and rejects with the store's error; calls run in the order they are made (a query sees every
 * write made before it); health() is synchronous, kept from the worker's replies, with `buffered`
 * = points handed over and not committed yet; close() lets the writes already handed over
 * commit, then closes.
 *
 * The thread is started by start(). If it dies (crash, out of memory, terminate), every pending
 * call and every later one rejects saying so, and the state is 'down' until start() is called
 * again. It does not keep the process alive while idle.
 */
export function createWorkerSqliteTelemetryStore(options: SqliteTelemetryOptions): TelemetryStore {
  createSqliteTelemetryStore(options); // throws for bad options, exactly as the in-thread store does (opens nothing)
  const workerData = { options: { ...options } };
  let worker: Worker | undefined;
  let starting: Promise<void> | undefined;
  let closing: Promise<CloseReport> | undefined;
  let state: TelemetryStoreState = 'starting';
  let failure: Error | undefined; // why the last worker died, while no new one runs
  let remote: TelemetryStoreHealth | undefined; // the current worker's last report
  let earlier = { written: 0, dropped: 0 }; // counted by workers that are gone
  let localDropped = 0; // points refused here: store not started, closed, or its worker gone
  let lastError: string | undefined;
  let inFlight = 0;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const settle = (id: number): Pending | undefined => {
    const p = pending.get(id);
    if (!p) return undefined;
    pending.delete(id);
    inFlight -= p.points;
    if (pending.size === 0) worker?.unref();
    return p;
  };

  const onReply = (w: Worker, m: Reply) => {
    if (w !== worker) return;
    if (m.health.lastError !== undefined && m.health.lastError !== remote?.lastError)
      lastError = m.health.lastError;
    remote = m.health;
    state = m.health.state;
    const p = settle(m.id);
    if (!p) return;
    if (m.ok) p.resolve(m.value);
    else p.reject(fromWireError(m.error));
  };

  /** Forget worker `w` (gone or closed); its pending calls reject with `err(op)`. */
  const detach = (w: Worker, err: (op: Op) => Error) => {
    if (w !== worker) return;
    worker = undefined;
    starting = undefined;
    earlier = {
      written: earlier.written + (remote?.written ?? 0),
      dropped: earlier.dropped + (remote?.dropped ?? 0),
    };
    remote = undefined;
    for (const [id, p] of [...pending]) {
      settle(id);
      if (p.op === 'write') localDropped += p.points;
      p.reject(err(p.op));
    }
    w.removeAllListeners('message');
  };

  const died = (w: Worker, why: string) => {
    if (w !== worker) return;
    const started = state !== 'starting';
    const e = new Error(
      `telemetry store: the SQLite worker thread ${why}; the next call starts a new one (the writes in flight are retried by the hub)`,
    );
    failure = e;
    lastError = e.message;
    detach(w, () => e);
    state = started ? 'down' : 'starting';
  };

  const spawn = (): Worker => {
    const w = new Worker(new URL('./sqlite-worker-boot.mjs', import.meta.url), { workerData });
    w.on('message', (m: Reply) => onReply(w, m));
    w.on('error', (err) => {
      died(w, `failed: ${err.message}`);
      void w.terminate();
    });
    w.on('messageerror', (err) => {
      died(w, `sent a reply that could not be read (${err.message})`);
      void w.terminate();
    });
    w.on('exit', (code) => died(w, `exited unexpectedly (exit code ${code})`));
    w.unref();
    return w;
  };

  /** Hands a call to the worker; the caller has checked that there is one. */
  const call = (
    op: Op,
    arg?: unknown,
    points = 0,
    packed?: { packed: PackedBatch; transfer: ArrayBuffer[] },
  ) => {
    const w = worker!;
    const id = nextId++;
    const req: Request = { id, op };
    if (arg !== undefined) req.arg = arg;
    if (packed) req.packed = packed.packed;
    return new Promise<unknown>((resolve, reject) => {
      try {
        w.postMessage(req, packed?.transfer);
      } catch (err) {
        if (op === 'write') {
          localDropped += points;
          lastError = (err as Error).message;
        }
        reject(err);
        return;
      }
      pending.set(id, { op, points, resolve, reject });
      inFlight += points;
      if (pending.size === 1) w.ref();
    });
  };

  /** Why a call cannot be made now: not started, closed, or the worker is gone. */
  const refusal = (what: string): Error =>
    failure && state === 'down' ? failure : new TelemetryStoreStateError(what, state);

  /**
   * After the thread died (not closed): starts a new one. The ingest processor retries a failed
   * write with backoff and the inbox keeps what was accepted, so telemetry heals by itself.
   */
  const revive = async (): Promise<boolean> => {
    if (worker) return true;
    if (state !== 'down' || closing) return false;
    await store.start();
    return worker !== undefined;
  };

  // with a live thread the call is handed over synchronously, keeping calls in the order made
  const query = <T>(op: Op, arg?: unknown): Promise<T> =>
    worker
      ? (call(op, arg) as Promise<T>)
      : revive().then((live) => {
          if (!live) throw refusal(`${op}()`);
          return call(op, arg) as Promise<T>;
        });

  const store: TelemetryStore = {
    start() {
      if (starting) return starting;
      const w = spawn();
      worker = w;
      closing = undefined;
      const s = call('start').then(
        () => {
          failure = undefined;
        },
        (err: Error) => {
          // the store could not open (bad path, corrupt file...): no thread is left behind, start() may be retried
          detach(w, (op) => new TelemetryStoreStateError(`${op}()`, 'starting'));
          void w.terminate();
          throw err;
        },
      );
      starting = s;
      return s;
    },

    async write(batch: TelemetryBatch) {
      const n = batchSize(batch);
      if (!worker) {
        const live = await revive().catch((err: Error) => {
          localDropped += n;
          throw err;
        });
        if (!live) {
          localDropped += n;
          throw refusal('write()');
        }
      }
      if (n === 0 && (state === 'up' || state === 'degraded')) return;
      const packed = packBatch(batch);
      await (packed ? call('write', undefined, n, packed) : call('write', batch, n));
    },

    track: (q) => query<PositionPoint[]>('track', q),
    latestPositions: (deviceIds) => query<PositionPoint[]>('latestPositions', deviceIds),
    latestHealth: (deviceIds) => query<HealthPoint[]>('latestHealth', deviceIds),
    grazing: (q) => query<GrazingPoint[]>('grazing', q),
    applyRetention: (now) => query<{ deleted: number }>('applyRetention', now),

    health(): TelemetryStoreHealth {
      const h: TelemetryStoreHealth = {
        adapter: 'sqlite',
        state,
        buffered: inFlight,
        spilled: 0,
        dropped: earlier.dropped + (remote?.dropped ?? 0) + localDropped,
        written: earlier.written + (remote?.written ?? 0),
      };
      if (lastError !== undefined) h.lastError = lastError;
      return h;
    },

    close() {
      if (closing) return closing;
      const w = worker;
      if (!w) {
        state = 'closed';
        failure = undefined;
        return Promise.resolve({ unwritten: 0 });
      }
      // after the writes already handed over (the worker answers in order), so nothing is cut short
      const c = call('close').then(
        (report) => report as CloseReport,
        (err: Error) => {
          if (err === failure) return { unwritten: 0 }; // died meanwhile: its pending writes were rejected
          throw err;
        },
      );
      closing = c.finally(async () => {
        detach(w, (op) => new TelemetryStoreStateError(`${op}()`, 'closed'));
        state = 'closed';
        failure = undefined;
        await w.terminate(); // resolve close() with the thread gone
      });
      return closing;
    },
  };
  workers.set(store, () => worker);
  return store;
}
