// Entry of the SQLite telemetry worker thread (sqlite-worker.ts): gives this thread a TypeScript
// loader, then runs sqlite-worker-main.ts. Plain JavaScript because nothing can load .ts yet.
//
// A worker inherits `--import tsx` from the hub's `node --import tsx`, but tsx only registers its
// hooks outside the main thread on Node versions that have `worker_threads.isInternalThread`
// (22.14+); on Node 20 the worker would fail with ERR_UNKNOWN_FILE_EXTENSION. Under vitest, TS
// goes through vite and the worker has no loader at all. So register tsx here unless tsx already
// did (registering twice is harmless, only slower).
import * as threads from 'node:worker_threads';

const tsxInherited =
  'isInternalThread' in threads &&
  [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => /\btsx\b/.test(a));
if (!tsxInherited) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('./sqlite-worker-main.ts');
