import { execFileSync } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { lowerThisThreadsPriority } from './thread-priority.ts';

describe('lowerThisThreadsPriority', () => {
  it.runIf(process.platform === 'linux')('nices the calling thread only, not the event loop', async () => {
    const before = getPriority(0);
    // what the telemetry worker does, in a plain worker thread
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const os = require('node:os');
       os.setPriority(0, 10);
       parentPort.postMessage(os.getPriority(0));`,
      { eval: true },
    );
    const inWorker = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(inWorker).toBe(10);
    expect(getPriority(0)).toBe(before);
  });

  it.runIf(process.platform === 'linux')('lowers the priority of the thread that calls it', () => {
    const before = getPriority(0);
    try {
      expect(lowerThisThreadsPriority(before + 2)).toBe(true);
      expect(getPriority(0)).toBe(before + 2);
    } finally {
      try {
        setPriority(0, before); // raising it back needs privileges; the test worker ends soon anyway
      } catch {}
    }
  });
});

describe('lowerHelperThreadsPriority', () => {
  // In a process of its own (as the hub runs), so the event loop under test is a real main thread.
  const file = JSON.stringify(fileURLToPath(new URL('./thread-priority.ts', import.meta.url)));
  const script = `
    import { getPriority } from 'node:os';
    import { readdirSync } from 'node:fs';
    import { Worker } from 'node:worker_threads';
    import { lowerHelperThreadsPriority } from ${file};
    const base = getPriority(0);
    const started = (code) => new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', (m) => resolve([w, m]));
      w.once('error', reject);
    });
    // a worker that already runs lower than the target keeps its own priority
    const [low, lowNice] = await started(\`
      import { setPriority, getPriority } from 'node:os';
      import { parentPort } from 'node:worker_threads';
      setPriority(0, 19);
      parentPort.postMessage(getPriority(0));
      setTimeout(() => {}, 5000);\`);
    // called from a worker thread, it does nothing
    const [inner, fromWorker] = await started(\`
      import { parentPort } from 'node:worker_threads';
      const { register } = await import('tsx/esm/api');
      register();
      const m = await import(${file});
      parentPort.postMessage(m.lowerHelperThreadsPriority(15));\`);
    await inner.terminate();
    const lowered = lowerHelperThreadsPriority(base + 5);
    const again = lowerHelperThreadsPriority(base + 5);
    const nices = Object.fromEntries(readdirSync('/proc/self/task').map((t) => [t, getPriority(Number(t))]));
    console.log(JSON.stringify({ pid: process.pid, base, lowNice, fromWorker, lowered, again, nices }));
    await low.terminate();
  `;
  it.runIf(process.platform === 'linux')(
    'lowers every thread but the event loop, once, and never raises one',
    () => {
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
      });
      const r = JSON.parse(out.trim().split('\n').pop()!) as {
        pid: number;
        base: number;
        lowNice: number;
        fromWorker: number;
        lowered: number;
        again: number;
        nices: Record<string, number>;
      };
      const target = r.base + 5;
      expect(r.fromWorker).toBe(0); // from a worker thread: nothing
      expect(r.nices[String(r.pid)]).toBe(r.base); // the event loop keeps its priority
      const helpers = Object.entries(r.nices)
        .filter(([tid]) => Number(tid) !== r.pid)
        .map(([, nice]) => nice);
      expect(helpers.length).toBeGreaterThanOrEqual(4); // V8's platform workers at least, and the worker
      expect(r.lowered).toBeGreaterThanOrEqual(3);
      expect(r.again).toBe(0); // nothing left to lower
      for (const nice of helpers) expect(nice).toBeGreaterThanOrEqual(target);
      expect(r.lowNice).toBe(19);
      expect(helpers).toContain(19); // the worker's own 19 stays, not raised to the target
    },
  );
});
