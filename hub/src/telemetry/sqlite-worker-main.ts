/**
 * The SQLite telemetry worker thread (started by sqlite-worker.ts through sqlite-worker-boot.mjs):
 * owns the in-thread store of sqlite.ts and runs each request on it in arrival order, so a
 * write sent before a query is committed before the query reads. Every reply carries the
 * store's health for the main thread's synchronous health().
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../thread-priority.ts';
import type { GrazingQuery, TelemetryBatch, TrackQuery } from './port.ts';
import { createSqliteTelemetryStore, type SqliteTelemetryOptions } from './sqlite.ts';
import { type Reply, type Request, toWireError, unpackBatch } from './sqlite-worker-wire.ts';

if (!parentPort) throw new Error('sqlite-worker-main.ts runs in a worker thread: see sqlite-worker.ts');
const port = parentPort;
lowerThisThreadsPriority();
const store = createSqliteTelemetryStore((workerData as { options: SqliteTelemetryOptions }).options);

function run(r: Request): Promise<unknown> {
  switch (r.op) {
    case 'start':
      return store.start();
    case 'write':
      return store.write(r.packed ? unpackBatch(r.packed) : (r.arg as TelemetryBatch));
    case 'track':
      return store.track(r.arg as TrackQuery);
    case 'latestPositions':
      return store.latestPositions(r.arg as string[] | undefined);
    case 'latestHealth':
      return store.latestHealth(r.arg as string[] | undefined);
    case 'grazing':
      return store.grazing(r.arg as GrazingQuery);
    case 'applyRetention':
      return store.applyRetention(r.arg as number);
    case 'close':
      return store.close();
    default:
      throw new Error(`telemetry worker: unknown request ${JSON.stringify((r as { op?: unknown }).op)}`);
  }
}

function reply(m: Reply): void {
  try {
    port.postMessage(m);
  } catch (err) {
    // a value that cannot be cloned: answer the call anyway, so the main thread never waits for ever
    port.postMessage({
      id: m.id,
      ok: false,
      error: toWireError(err),
      health: store.health(),
    } satisfies Reply);
  }
}

port.on('message', (r: Request) => {
  let done: Promise<unknown>;
  try {
    done = run(r);
  } catch (err) {
    done = Promise.reject(err);
  }
  done.then(
    (value) => reply({ id: r.id, ok: true, value, health: store.health() }),
    (err: unknown) => reply({ id: r.id, ok: false, error: toWireError(err), health: store.health() }),
  );
});

// a request that cannot be read cannot be answered: fail loudly, the main thread rejects every call
port.on('messageerror', (err) => {
  throw err;
});
