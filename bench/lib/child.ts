import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A TypeScript module run in its own node process (through tsx), talking over IPC, so load
 * generators don't share the event loop (or the core) of what they measure.
 */
export class Child<In, Out extends { type: string }> {
  readonly proc: ChildProcess;
  private readonly waiting: { type: string; resolve: (m: Out) => void }[] = [];
  private readonly exited: Promise<number | null>;

  constructor(moduleUrl: URL) {
    this.proc = fork(fileURLToPath(moduleUrl), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: Out) => {
      const i = this.waiting.findIndex((w) => w.type === m.type);
      if (i >= 0) this.waiting.splice(i, 1)[0]?.resolve(m);
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  send(m: In): void {
    this.proc.send(m as object);
  }

  /** The next message of this type; rejects if the child exits first. */
  next<T extends Out['type']>(type: T): Promise<Extract<Out, { type: T }>> {
    return Promise.race([
      new Promise<Extract<Out, { type: T }>>((resolve) =>
        this.waiting.push({ type, resolve: resolve as (m: Out) => void }),
      ),
      this.exited.then((code) =>
        Promise.reject(new Error(`child exited (${code}) while waiting for '${type}'`)),
      ),
    ]);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.proc.kill('SIGTERM');
    await this.exited;
  }
}
