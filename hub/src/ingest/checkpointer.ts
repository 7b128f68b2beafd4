import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.ts';
import type { Db } from '../state/db.ts';

export const checkpointerDefaults = {
  intervalMs: 1_000, // a PASSIVE checkpoint of state.db every second, on a worker thread
  backstopPages: 16_384, // if the worker falls behind, the writer checkpoints itself past 64 MiB of WAL
};

/** Runs in the worker (CommonJS, eval'd): its own connection, PASSIVE checkpoints only (never blocks the writer). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// background work: this thread only (Linux nice is per thread) yields to the event loop
if (process.platform === 'linux') { try { require('node:os').setPriority(0, 10); } catch {} }
const Database = require(workerData.sqlite);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 50');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); }
  catch (e) { parentPort.postMessage({ type: 'error', message: String((e && e.message) || e) }); }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage({ type: 'closed' });
});
`;

type State = 'idle' | 'running' | 'closed';

/**
 * Moves WAL checkpoints of the state database off the event loop. With WAL and
 * synchronous=NORMAL a commit is a plain append; only checkpoints copy pages back and fsync.
 * By default SQLite runs them inside whichever commit crosses 1000 pages, stalling ingest for
 * the fsync; here a worker thread does them every second and the writer's own
 * autocheckpoint is kept only as a backstop.
 */
export class Checkpointer {
  private worker: Worker | undefined;
  private state: State = 'idle';
  private readonly o: typeof checkpointerDefaults;
  errors = 0;

  constructor(
    private readonly db: Db,
    private readonly path: string,
    private readonly log: Logger,
    options: Partial<typeof checkpointerDefaults> = {},
  ) {
    this.o = { ...checkpointerDefaults, ...options };
  }

  start(): void {
    if (this.state !== 'idle' || this.path === ':memory:') return;
    this.db.pragma(`wal_autocheckpoint = ${this.o.backstopPages}`);
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path: this.path, sqlite, intervalMs: this.o.intervalMs },
    });
    w.on('message', (m: { type: string; message?: string }) => {
      if (m.type !== 'error') return;
      this.errors++;
      this.log.warn(
        { err: m.message },
        'state.db checkpoint failed; the writer checkpoints itself past the backstop',
      );
    });
    w.on('error', (err) => {
      this.errors++;
      this.log.error({ err }, 'checkpoint worker stopped; falling back to SQLite autocheckpoint');
      this.db.pragma('wal_autocheckpoint = 1000');
    });
    w.unref();
    this.worker = w;
    this.state = 'running';
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.state = 'closed';
    this.worker = undefined;
    if (!w) return;
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      w.once('exit', done);
      w.on('message', (m: { type: string }) => {
        if (m.type === 'closed') void w.terminate().then(done, done);
      });
      w.ref(); // keep the process alive until the final checkpoint is done
      w.postMessage('close');
    });
  }
}
